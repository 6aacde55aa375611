package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// vendor is what errors say about the Shopify API.
func vendor() vendorapi.Vendor {
	return vendorapi.Vendor{
		Name:    "Shopify",
		Refused: "Shopify refused the access token (HTTP %d); check PLUSONE_SHOPIFY_ACCESS_TOKEN and the app's scopes",
	}
}

// newClient builds the client every query goes through: the shared rules
// (vendorapi.New), plus retries of THROTTLED answers that wait for the query
// cost to refill, and pacing by the cost budget Shopify reports.
func newClient(cfg vendorapi.Config, base string, b *budget) *vendorapi.Client {
	c := vendorapi.New(cfg, base, vendor(), vendorapi.Hooks{
		Before: b.wait,
		After:  func(r *resty.Response) { b.observe(costOf(r.Body())) },
		Retry:  isThrottled,
		Wait:   throttleWait,
	})
	c.Resty().SetHeader("Content-Type", "application/json")
	return c
}

// gqlRequest is the body of a GraphQL POST.
type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// gqlResponse is a GraphQL answer: data, errors and, from Shopify, the
// query's cost. Errors may come with HTTP 200.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	gqlExtensions
}

// gqlExtensions is the extensions of a GraphQL answer: from Shopify, the
// query's cost. costOf decodes only it, for every answer.
type gqlExtensions struct {
	Extensions struct {
		Cost *queryCost `json:"cost"`
	} `json:"extensions"`
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

func (e gqlError) throttled() bool {
	return e.Extensions.Code == "THROTTLED" || strings.EqualFold(strings.TrimSpace(e.Message), "throttled")
}

// readScopes are the scopes the history's queries need.
const readScopes = "the read_customers and read_orders scopes"

// query runs a GraphQL query of the history and decodes its data into out.
func (a *API) query(ctx context.Context, query string, vars map[string]any, out any) error {
	return a.graphQL(ctx, query, vars, out, readScopes)
}

// graphQL runs a GraphQL query or mutation and decodes its data into out;
// scopes names the access scopes it needs, for an ACCESS_DENIED error.
func (a *API) graphQL(ctx context.Context, query string, vars map[string]any, out any, scopes string) error {
	op := "POST " + a.endpoint
	resp, err := a.api.Request(ctx).SetBody(gqlRequest{Query: query, Variables: vars}).Post(a.endpoint)
	if err != nil {
		return a.api.RequestError(ctx, op, resp, err)
	}
	if s := resp.StatusCode(); s < 200 || s > 299 {
		return fmt.Errorf("%s: %w", op, statusError(s))
	}
	var r gqlResponse
	if err := json.Unmarshal(resp.Body(), &r); err != nil {
		return fmt.Errorf("%s: invalid JSON from Shopify: %w", op, err)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%s: %w", op, graphQLError(r.Errors, scopes))
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		return fmt.Errorf("%s: unexpected data from Shopify: %w", op, err)
	}
	return nil
}

// statusError describes an error status once retries, if any, are spent.
func statusError(status int) error {
	if status == http.StatusNotFound {
		return fmt.Errorf("shopify answered HTTP 404: check PLUSONE_SHOPIFY_URL and the API version")
	}
	return vendor().StatusError(status, nil)
}

// graphQLError describes the errors of a GraphQL answer; scopes names the
// access scopes the query needs.
func graphQLError(errs []gqlError, scopes string) error {
	msgs := make([]string, 0, len(errs))
	code := ""
	for _, e := range errs {
		if e.throttled() {
			return plusone.Errorf(plusone.EUNAVAILABLE, "Shopify throttled the query; retries are spent")
		}
		if code == "" {
			code = e.Extensions.Code
		}
		msgs = append(msgs, clip(strings.TrimSpace(e.Message)))
	}
	if code == "ACCESS_DENIED" {
		return plusone.Errorf(plusone.EUNAUTHORIZED,
			"Shopify denied access (%s); the app needs %s", strings.Join(msgs, "; "), scopes)
	}
	return fmt.Errorf("shopify GraphQL errors: %s", strings.Join(msgs, "; "))
}

// isThrottled reports whether an answer is a throttled query, which
// GraphQL answers with HTTP 200.
func isThrottled(r *resty.Response) bool {
	throttled, _ := throttledAnswer(r.Body())
	return throttled
}

// throttledAnswer reads body as a GraphQL answer and reports whether Shopify
// throttled it, with the query's cost when it says.
func throttledAnswer(body []byte) (bool, *queryCost) {
	if !bytes.Contains(body, []byte("hrottled")) && !bytes.Contains(body, []byte("THROTTLED")) {
		return false, nil
	}
	var r gqlResponse
	if json.Unmarshal(body, &r) != nil {
		return false, nil
	}
	for _, e := range r.Errors {
		if e.throttled() {
			return true, r.Extensions.Cost
		}
	}
	return false, nil
}

// costOf reads the cost extension of a GraphQL answer, if any.
func costOf(body []byte) *queryCost {
	if !bytes.Contains(body, []byte(`"cost"`)) {
		return nil
	}
	var r gqlExtensions
	if json.Unmarshal(body, &r) != nil {
		return nil
	}
	return r.Extensions.Cost
}

// clip keeps vendor messages quoted in errors short.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
