package shopify

import (
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/option"
)

// DefaultAPIVersion is the Admin API version queried. Shopify serves a
// stable version for at least twelve months and answers requests for a
// retired one with the oldest it still supports.
const DefaultAPIVersion = "2026-01"

// apiVersion matches the name of an Admin API version.
var apiVersion = regexp.MustCompile(`^(\d{4}-(01|04|07|10)|unstable)$`)

// linkDomain returns the shop domain of a link base given as a domain or a
// URL; "" when it is neither.
func linkDomain(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		s = u.Host
	}
	return shopDomain(s)
}

// API reads a customer's orders from the Shopify GraphQL Admin API
// (POST /admin/api/<version>/graphql.json, header X-Shopify-Access-Token),
// and creates discount codes for granted gestures (CreateDiscountCode).
// History needs the read_customers and read_orders scopes (orders older than
// 60 days also need read_all_orders); discount codes need write_discounts.
// It is safe for concurrent use.
type API struct {
	api      *vendorapi.Client
	endpoint string // /admin/api/<version>/graphql.json
	shop     string // domain of order links
	log      *slog.Logger
	budget   *budget
	now      func() time.Time

	mu       sync.Mutex
	currency string // the shop's currency code, once known
}

var _ plusone.History = (*API)(nil)

// DefaultHistoryLimit bounds History when the query sets no Limit.
const DefaultHistoryLimit = 100

// ordersPerPage is the largest page of orders asked for. With ten line
// items each, a page's requested cost stays well under the 1,000 points a
// single query may cost.
const ordersPerPage = 20

// maxOrderPages bounds how many pages one History call reads.
const maxOrderPages = 50

// NewAPI returns a client of the shop at shopURL (such as
// "https://tires-co.myshopify.com"; the scheme may be left out) that
// authenticates with an Admin API access token. Order links are
// https://<shop host>/admin/orders/<id>, as the webhook parser builds them
// from X-Shopify-Shop-Domain; option.WithLinkBase changes the host (a
// domain or a URL). option.WithAPIVersion queries another Admin API version
// than DefaultAPIVersion; a value that is not a version name is ignored.
func NewAPI(shopURL, accessToken string, opts ...option.Option) *API {
	cfg := vendorapi.NewConfig(nil, opts)
	version := strings.TrimSpace(cfg.APIVersion)
	if !apiVersion.MatchString(version) {
		version = DefaultAPIVersion
	}
	base := cleanShopURL(shopURL)
	shop := linkDomain(cfg.LinkBase)
	if shop == "" {
		if u, err := url.Parse(base); err == nil {
			shop = strings.ToLower(u.Host)
		}
	}
	a := &API{
		endpoint: "/admin/api/" + version + "/graphql.json",
		shop:     shop,
		log:      cfg.Log,
		budget:   newBudget(cfg.Log),
		now:      cfg.Now,
	}
	a.api = newClient(cfg, base, a.budget)
	a.api.Resty().SetHeader("X-Shopify-Access-Token", accessToken)
	return a
}

// Source returns plusone.SourceShopify.
func (a *API) Source() plusone.Source { return plusone.SourceShopify }

// History returns the customer's orders as order.created events, newest
// first, each with the order's current status and followed by an
// order.updated event per refund, as refunds/create gives it (the refund's
// amount and id, counted once). The customer is found by q.ExternalID (her
// Shopify customer id, numeric or a gid) when it is set, otherwise by
// q.Email. Orders are read newest first, so reading stops at q.Limit orders
// (with their refunds) or at the first order created before q.Since.
func (a *API) History(ctx context.Context, q plusone.HistoryQuery) ([]plusone.Event, error) {
	find := func(ctx context.Context, q plusone.HistoryQuery) (string, bool, error) {
		gid, err := a.findCustomer(ctx, q)
		return gid, gid != "", err
	}
	return vendorapi.History(ctx, "shopify", "customer", q, find, a.orders)
}

// findCustomer returns the gid of the query's customer, or "" if the shop
// does not know her.
func (a *API) findCustomer(ctx context.Context, q plusone.HistoryQuery) (string, error) {
	if ext := strings.TrimSpace(q.ExternalID); ext != "" {
		return customerGID(ext), nil // an unknown id reads as a null customer
	}
	email := plusone.NormalizeEmail(q.Email)
	if email == "" || strings.ContainsAny(email, `"'\():`) {
		return "", nil // nothing Shopify's search syntax could look up as such
	}
	var data struct {
		Customers struct {
			Nodes []gqlCustomer `json:"nodes"`
		} `json:"customers"`
	}
	if err := a.query(ctx, customerSearchQuery, map[string]any{"query": "email:" + email}, &data); err != nil {
		return "", err
	}
	if c := pickCustomer(data.Customers.Nodes, email); c != nil {
		return c.ID, nil
	}
	return "", nil
}

// pickCustomer chooses the customer with exactly this email or, when the
// shop may not show emails (protected customer data), the only one found.
func pickCustomer(nodes []gqlCustomer, email string) *gqlCustomer {
	for i := range nodes {
		if plusone.NormalizeEmail(nodes[i].Email) == email {
			return &nodes[i]
		}
	}
	if len(nodes) == 1 && strings.TrimSpace(nodes[0].Email) == "" {
		return &nodes[0]
	}
	return nil
}

// orders pages through the customer's orders, newest first.
func (a *API) orders(ctx context.Context, gid string, q plusone.HistoryQuery) ([]plusone.Event, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	var (
		events []plusone.Event
		orders int // Limit counts orders, not their refunds' events
		ref    plusone.CustomerRef
		after  any // null for the first page
	)
	for page := range maxOrderPages {
		var data struct {
			Customer *gqlCustomer `json:"customer"`
		}
		vars := map[string]any{"id": gid, "first": min(ordersPerPage, limit-orders), "after": after}
		if err := a.query(ctx, customerOrdersQuery, vars, &data); err != nil {
			return nil, err
		}
		c := data.Customer
		if c == nil {
			return events, nil // no such customer
		}
		if page == 0 {
			ref = c.ref()
		}
		for _, o := range c.Orders.Nodes {
			order := a.orderEvents(o, ref)
			if len(order) == 0 {
				continue
			}
			if !q.Since.IsZero() && order[0].OccurredAt.Before(q.Since) {
				return events, nil // the rest are older still
			}
			events = append(events, order...)
			if orders++; orders >= limit {
				return events, nil
			}
		}
		next := c.Orders.PageInfo
		if !next.HasNextPage || next.EndCursor == "" {
			return events, nil
		}
		after = next.EndCursor
	}
	a.log.Warn("shopify history cut short", "customer", gid, "pages", maxOrderPages)
	return events, nil
}

// cleanShopURL adds the scheme a bare shop domain lacks, trims the URL and
// drops any user info, so that no credential travels in URLs.
func cleanShopURL(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if s != "" && !strings.Contains(s, "://") {
		s = "https://" + s
	}
	return vendorapi.CleanBaseURL(s)
}
