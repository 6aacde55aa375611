package shopify_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
	"github.com/plusone-hq/plusone/integrations/shopify"
)

// The kinds of request the fake discounts admin tells apart.
const (
	askCurrency    = "currency"
	createDiscount = "create"
)

// discountAdmin is a fake shop's GraphQL Admin API for discounts: shop {
// currencyCode } and discountCodeBasicCreate, which refuses a code it has
// as Shopify does (TAKEN, "Code must be unique").
type discountAdmin struct {
	*historytest.Server

	mu    sync.Mutex
	codes map[string]map[string]any // the input of each code created
}

func newDiscountAdmin(t *testing.T, intercept historytest.Intercept) *discountAdmin {
	t.Helper()
	d := &discountAdmin{codes: map[string]map[string]any{}}
	kind := func(_ *http.Request, body []byte) string {
		if strings.Contains(string(body), "discountCodeBasicCreate") {
			return createDiscount
		}
		return askCurrency
	}
	d.Server = historytest.NewServer(t, http.HandlerFunc(d.serve), kind, intercept)
	return d
}

func (d *discountAdmin) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != graphQLPath {
		historytest.WriteJSON(w, http.StatusNotFound, `{"errors":"Not Found"}`)
		return
	}
	if r.Header.Get("X-Shopify-Access-Token") != accessToken {
		historytest.WriteJSON(w, http.StatusUnauthorized, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
		return
	}
	var body struct {
		Query     string `json:"query"`
		Variables struct {
			Discount map[string]any `json:"discount"`
		} `json:"variables"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	switch {
	case strings.Contains(body.Query, "shop { currencyCode }"):
		historytest.WriteJSON(w, http.StatusOK, `{"data":{"shop":{"currencyCode":"USD"}}}`)
	case strings.Contains(body.Query, "discountCodeBasicCreate(basicCodeDiscount: $discount)"):
		in := body.Variables.Discount
		code, _ := in["code"].(string)
		d.mu.Lock()
		_, taken := d.codes[code]
		if !taken {
			d.codes[code] = in
		}
		d.mu.Unlock()
		if taken {
			historytest.WriteJSON(w, http.StatusOK, `{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null,"userErrors":[
				{"field":["basicCodeDiscount","code"],"code":"TAKEN","message":"Code must be unique. Please try a different code."}]}}}`)
			return
		}
		historytest.WriteJSON(w, http.StatusOK, `{"data":{"discountCodeBasicCreate":{"codeDiscountNode":{"id":"gid://shopify/DiscountCodeNode/1"},"userErrors":[]}},
			"extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":10,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1990.0,"restoreRate":100.0}}}}`)
	default:
		historytest.WriteJSON(w, http.StatusOK, `{"errors":[{"message":"unexpected query"}]}`)
	}
}

// created returns the codes created so far and their inputs.
func (d *discountAdmin) created() map[string]map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]map[string]any, len(d.codes))
	for k, v := range d.codes {
		out[k] = v
	}
	return out
}

var discountNow = time.Date(2025, 3, 4, 10, 0, 0, 0, time.FixedZone("EST", -5*3600))

func (d *discountAdmin) api(opts ...option.Option) *shopify.API {
	base := []option.Option{option.WithRetryWait(10 * time.Millisecond), option.WithClock(func() time.Time { return discountNow })}
	return shopify.NewAPI(d.URL, accessToken, append(base, opts...)...)
}

func TestCreateDiscountCode(t *testing.T) {
	t.Parallel()
	d := newDiscountAdmin(t, nil)
	api := d.api()
	if err := api.CreateDiscountCode(t.Context(), "PLUS1-ABCDEFGH", "Sorry about the delay", 1250, "usd", "6147919642668"); err != nil {
		t.Fatal(err)
	}
	got := d.created()
	if len(got) != 1 {
		t.Fatalf("created %d codes, want 1", len(got))
	}
	want := `{"appliesOncePerCustomer":true,"code":"PLUS1-ABCDEFGH",` +
		`"customerGets":{"items":{"all":true},"value":{"discountAmount":{"amount":"12.50","appliesOnEachItem":false}}},` +
		`"customerSelection":{"customers":{"add":["gid://shopify/Customer/6147919642668"]}},` +
		`"startsAt":"2025-03-04T15:00:00Z","title":"Sorry about the delay","usageLimit":1}`
	if b, _ := json.Marshal(got["PLUS1-ABCDEFGH"]); string(b) != want {
		t.Errorf("input = %s\nwant    %s", b, want)
	}

	// A retry after success finds the code taken: done, nothing more is
	// created, and the shop's currency is not asked again.
	if err := api.CreateDiscountCode(t.Context(), "PLUS1-ABCDEFGH", "Sorry about the delay", 1250, "USD", "6147919642668"); err != nil {
		t.Errorf("retry: %v", err)
	}
	if n := len(d.created()); n != 1 {
		t.Errorf("created %d codes, want 1", n)
	}
	if c, m := len(d.Requests(askCurrency)), len(d.Requests(createDiscount)); c != 1 || m != 2 {
		t.Errorf("asked the currency %d times and created %d times, want 1 and 2", c, m)
	}

	// For anyone with the code, with the code as its title, in the shop's
	// currency whatever it is.
	if err := api.CreateDiscountCode(t.Context(), "PLUS1-ANYONE00", "", 500, "", ""); err != nil {
		t.Fatal(err)
	}
	in := d.created()["PLUS1-ANYONE00"]
	if b, _ := json.Marshal(in["customerSelection"]); string(b) != `{"all":true}` || in["title"] != "PLUS1-ANYONE00" {
		t.Errorf("input = %v, want every customer and the code as title", in)
	}
}

// TestCreateDiscountCodeRetries: a 500, or a throttled mutation, is retried;
// the code is created once.
func TestCreateDiscountCodeRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"server error", http.StatusInternalServerError, `{"errors":"Internal Server Error"}`},
		{"throttled", http.StatusOK, `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
			"extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":5.0,"restoreRate":100.0}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var sent historytest.Stamp
			d := newDiscountAdmin(t, func(w http.ResponseWriter, r historytest.Request, n int) bool {
				if r.Kind == createDiscount && n == 1 {
					sent.Set()
					historytest.WriteJSON(w, tt.status, tt.body)
					return true
				}
				return false
			})
			if err := d.api().CreateDiscountCode(t.Context(), "PLUS1-RETRY000", "Sorry", 1000, "USD", ""); err != nil {
				t.Fatal(err)
			}
			creates := d.Requests(createDiscount)
			if n := len(d.created()); n != 1 || len(creates) != 2 {
				t.Errorf("created %d codes in %d requests, want 1 in 2", n, len(creates))
			}
			// Throttled: the bucket needs 5 points at 100 a second.
			if gap := creates[1].At.Sub(sent.Get()); tt.status == http.StatusOK && gap < 50*time.Millisecond {
				t.Errorf("retried %v after the throttled answer; the bucket needed 50ms", gap)
			}
		})
	}
}

func TestCreateDiscountCodeErrors(t *testing.T) {
	t.Parallel()
	answer := func(body string) historytest.Intercept {
		return func(w http.ResponseWriter, r historytest.Request, n int) bool {
			if r.Kind != createDiscount {
				return false
			}
			historytest.WriteJSON(w, http.StatusOK, body)
			return true
		}
	}
	tests := []struct {
		name      string
		intercept historytest.Intercept
		token     string
		amount    plusone.Money
		currency  string
		customer  string
		code      string
		msg       string
		requests  int
	}{
		{"user error", answer(`{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null,"userErrors":[
			{"field":["basicCodeDiscount","customerSelection","customers","add"],"code":"INVALID","message":"Customer does not exist"}]}}}`),
			accessToken, 1000, "USD", "42", plusone.EINVALID, "basicCodeDiscount.customerSelection.customers.add: Customer does not exist", 2},
		{"missing scope", answer(`{"errors":[{"message":"Access denied for discountCodeBasicCreate field.","extensions":{"code":"ACCESS_DENIED"}}]}`),
			accessToken, 1000, "USD", "", plusone.EUNAUTHORIZED, "write_discounts", 2},
		{"refused token", nil, "wrong-token", 1000, "USD", "", plusone.EUNAUTHORIZED, "PLUSONE_SHOPIFY_ACCESS_TOKEN", 1},
		{"another currency", nil, accessToken, 1000, "EUR", "", plusone.EINVALID, "the shop counts in USD, the amount is in EUR", 1},
		{"nothing off", nil, accessToken, 0, "USD", "", plusone.EINVALID, "more than zero", 0},
		{"not a customer id", nil, accessToken, 1000, "USD", "gid://shopify/Order/1", plusone.EINVALID, "is not a Shopify customer id", 0},
		{"always throttled", answer(`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
			"extensions":{"cost":{"requestedQueryCost":10,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":9.0,"restoreRate":100.0}}}}`),
			accessToken, 1000, "USD", "", plusone.EUNAVAILABLE, "retries are spent", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDiscountAdmin(t, tt.intercept)
			api := shopify.NewAPI(d.URL, tt.token, option.WithRetryWait(time.Millisecond), option.WithRetries(2))
			err := api.CreateDiscountCode(t.Context(), "PLUS1-ERR00000", "Sorry", tt.amount, tt.currency, tt.customer)
			eventtest.AssertError(t, err, tt.code, tt.msg)
			if err != nil && strings.Contains(err.Error(), tt.token) {
				t.Errorf("the error shows the token: %v", err)
			}
			if n := d.Count(); n != tt.requests {
				t.Errorf("made %d requests, want %d", n, tt.requests)
			}
		})
	}
}
