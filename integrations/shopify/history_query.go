package shopify

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// customerSearchQuery finds customers by a search such as
// "email:jane@example.com".
const customerSearchQuery = `query PlusoneFindCustomer($query: String!) {
  customers(first: 5, query: $query) {
    nodes { id email }
  }
}`

// customerOrdersQuery reads a customer and one page of her orders, newest
// first.
const customerOrdersQuery = `query PlusoneCustomerOrders($id: ID!, $first: Int!, $after: String) {
  customer(id: $id) {
    id
    email
    firstName
    lastName
    phone
    createdAt
    orders(first: $first, after: $after, sortKey: CREATED_AT, reverse: true) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        name
        createdAt
        cancelledAt
        displayFinancialStatus
        displayFulfillmentStatus
        totalPriceSet { shopMoney { amount currencyCode } }
        refunds(first: 20) {
          id
          createdAt
          totalRefundedSet { shopMoney { amount currencyCode } }
        }
        lineItems(first: 10) {
          nodes {
            title
            quantity
            sku
            originalUnitPriceSet { shopMoney { amount currencyCode } }
          }
        }
      }
    }
  }
}`

// gqlCustomer is a Customer as the queries above select it.
type gqlCustomer struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Phone     string `json:"phone"`
	CreatedAt string `json:"createdAt"`
	Orders    struct {
		PageInfo struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
		Nodes []gqlOrder `json:"nodes"`
	} `json:"orders"`
}

type gqlOrder struct {
	ID                       string      `json:"id"`
	Name                     string      `json:"name"`
	CreatedAt                string      `json:"createdAt"`
	CancelledAt              string      `json:"cancelledAt"`
	DisplayFinancialStatus   string      `json:"displayFinancialStatus"`
	DisplayFulfillmentStatus string      `json:"displayFulfillmentStatus"`
	TotalPriceSet            moneyBag    `json:"totalPriceSet"`
	Refunds                  []gqlRefund `json:"refunds"`
	LineItems                struct {
		Nodes []struct {
			Title                string   `json:"title"`
			Quantity             int      `json:"quantity"`
			SKU                  string   `json:"sku"`
			OriginalUnitPriceSet moneyBag `json:"originalUnitPriceSet"`
		} `json:"nodes"`
	} `json:"lineItems"`
}

// gqlRefund is one of an order's refunds.
type gqlRefund struct {
	ID               string   `json:"id"`
	CreatedAt        string   `json:"createdAt"`
	TotalRefundedSet moneyBag `json:"totalRefundedSet"`
}

// moneyBag is a MoneyBag; plusone counts in the shop's currency, as the
// webhooks' total_price and currency do.
type moneyBag struct {
	ShopMoney struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	} `json:"shopMoney"`
}

// ref describes the customer as the customer of an event, as the webhook
// parser's ref does for an order's customer.
func (c *gqlCustomer) ref() plusone.CustomerRef {
	r := plusone.CustomerRef{
		Email:      strings.TrimSpace(c.Email),
		Name:       strings.TrimSpace(strings.TrimSpace(c.FirstName) + " " + strings.TrimSpace(c.LastName)),
		Phone:      strings.TrimSpace(c.Phone),
		ExternalID: legacyID(c.ID),
	}
	if t, ok := parseGQLTime(c.CreatedAt); ok {
		r.Since = t
	}
	return r
}

// orderEvents turns an order into the events the webhooks give for it: the
// order.created event of orders/create, with the order's current status,
// then for each refund the order.updated event of refunds/create, with the
// refund's amount and id (so that a refund is counted once, whichever of the
// history and the webhooks brings it first). The refunds follow their
// order: applied before it, they would find no order to count against.
func (a *API) orderEvents(o gqlOrder, ref plusone.CustomerRef) []plusone.Event {
	id := legacyID(o.ID)
	if id == "" {
		return nil
	}
	created, _ := parseGQLTime(o.CreatedAt)
	order := &plusone.Order{
		ID:        id,
		Name:      strings.TrimSpace(o.Name),
		URL:       orderURL(a.shop, id),
		Total:     a.money(id, o.TotalPriceSet),
		Currency:  currency(o.TotalPriceSet.ShopMoney.CurrencyCode),
		Status:    orderStatus(o.CancelledAt, o.DisplayFulfillmentStatus),
		CreatedAt: created,
	}
	for _, li := range o.LineItems.Nodes {
		order.Items = append(order.Items, plusone.LineItem{
			Title:    strings.TrimSpace(li.Title),
			SKU:      strings.TrimSpace(li.SKU),
			Quantity: li.Quantity,
			Price:    a.money(id, li.OriginalUnitPriceSet),
		})
	}
	events := []plusone.Event{{
		Source: plusone.SourceShopify, ID: "history:order:" + id, Type: plusone.EventOrderCreated,
		OccurredAt: created, Customer: ref, Order: order,
	}}
	refunds := slices.Clone(o.Refunds)
	slices.SortStableFunc(refunds, func(a, b gqlRefund) int { return strings.Compare(a.CreatedAt, b.CreatedAt) })
	for _, r := range refunds {
		refundID := legacyID(r.ID)
		amount := a.money(id, r.TotalRefundedSet)
		if refundID == "" || amount == 0 {
			continue // nothing to count, or nothing to count it once by
		}
		at, ok := parseGQLTime(r.CreatedAt)
		if !ok {
			at = created
		}
		events = append(events, plusone.Event{
			Source: plusone.SourceShopify, ID: "history:refund:" + refundID, Type: plusone.EventOrderUpdated,
			OccurredAt: at, Customer: ref,
			Order: &plusone.Order{ID: id, URL: order.URL, Refunded: amount, RefundID: refundID,
				Currency: cmp.Or(currency(r.TotalRefundedSet.ShopMoney.CurrencyCode), order.Currency)},
		})
	}
	return events
}

// money reads an amount; one Shopify should never send unreadable is logged
// and counted as zero rather than costing the whole history.
func (a *API) money(orderID string, b moneyBag) plusone.Money {
	s := strings.TrimSpace(b.ShopMoney.Amount)
	if s == "" {
		return 0
	}
	m, err := plusone.ParseMoney(s)
	if err != nil {
		a.log.Warn("shopify history: unreadable amount", "order_id", orderID, "error", err)
		return 0
	}
	return m
}

// legacyID returns the numeric id of a gid such as
// "gid://shopify/Order/5940139491234", the id the webhooks use.
func legacyID(gid string) string {
	s := strings.TrimSpace(gid)
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	s, _, _ = strings.Cut(s, "?")
	if !vendorapi.IsDigits(s) {
		return ""
	}
	return s
}

// customerGID turns a customer id, numeric or a gid, into a Customer gid,
// or "" if it is neither.
func customerGID(ext string) string {
	const prefix = "gid://shopify/Customer/"
	id, isGID := strings.CutPrefix(ext, prefix)
	if !isGID && strings.Contains(ext, "/") || !vendorapi.IsDigits(id) {
		return ""
	}
	return prefix + id
}

// parseGQLTime reads a GraphQL DateTime (ISO 8601) into UTC.
func parseGQLTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
