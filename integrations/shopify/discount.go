package shopify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// writeScopes are the scopes CreateDiscountCode needs.
const writeScopes = "the write_discounts scope to create discount codes"

// shopCurrencyQuery reads the currency the shop counts in, which a code's
// fixed amount is in.
const shopCurrencyQuery = `query PlusoneShopCurrency { shop { currencyCode } }`

// discountCreateMutation creates an amount-off code discount.
const discountCreateMutation = `mutation PlusoneCreateDiscountCode($discount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $discount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`

// CreateDiscountCode creates the discount code code, worth amount off one
// order once, with GraphQL's discountCodeBasicCreate: a fixed amount off the
// whole order (not each item), usable once in all and once per customer,
// from now on, by customerID only (her Shopify customer id, numeric or a
// gid) or, when customerID is empty, by anyone who has the code. title names
// the discount in the shop's admin (the code when empty). It needs the
// write_discounts scope.
//
// A code the shop already has counts as created (Shopify answers "TAKEN",
// "Code must be unique"): a call retried after a timeout, whose first
// attempt may have created it, succeeds. The amount is in the shop's
// currency, read once with shop { currencyCode }: a currency other than
// that is refused rather than converted.
//
// Errors: a request Shopify refuses (a user error other than a taken code,
// an amount of zero, another currency, a customer id that is none) is
// EINVALID; a missing scope or refused token EUNAUTHORIZED; throttling,
// 429, 5xx and network errors are retried as History's queries are, then
// returned as errors that may succeed later.
func (a *API) CreateDiscountCode(ctx context.Context, code, title string, amount plusone.Money, currency, customerID string) error {
	code = strings.TrimSpace(code)
	switch {
	case code == "":
		return plusone.Errorf(plusone.EINVALID, "a Shopify discount code needs a code")
	case amount <= 0:
		return plusone.Errorf(plusone.EINVALID, "discount code %s: the amount must be more than zero, not %s", code, amount.Decimal())
	}
	customers := map[string]any{"all": true}
	if ext := strings.TrimSpace(customerID); ext != "" {
		gid := customerGID(ext)
		if gid == "" {
			return plusone.Errorf(plusone.EINVALID, "discount code %s: %q is not a Shopify customer id", code, clip(ext))
		}
		customers = map[string]any{"customers": map[string]any{"add": []string{gid}}}
	}
	if err := a.checkCurrency(ctx, code, currency); err != nil {
		return err
	}
	if title = strings.TrimSpace(title); title == "" {
		title = code
	}
	input := map[string]any{
		"title":                  title,
		"code":                   code,
		"startsAt":               a.now().UTC().Format(time.RFC3339),
		"customerSelection":      customers,
		"customerGets":           map[string]any{"value": map[string]any{"discountAmount": map[string]any{"amount": amount.Decimal(), "appliesOnEachItem": false}}, "items": map[string]any{"all": true}},
		"appliesOncePerCustomer": true,
		"usageLimit":             1,
	}
	var data struct {
		Create *struct {
			Node *struct {
				ID string `json:"id"`
			} `json:"codeDiscountNode"`
			UserErrors []discountUserError `json:"userErrors"`
		} `json:"discountCodeBasicCreate"`
	}
	if err := a.graphQL(ctx, discountCreateMutation, map[string]any{"discount": input}, &data, writeScopes); err != nil {
		return fmt.Errorf("shopify discount code %s: %w", code, err)
	}
	if data.Create == nil {
		return fmt.Errorf("shopify discount code %s: Shopify answered without discountCodeBasicCreate", code)
	}
	errs := data.Create.UserErrors
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		if e.taken() {
			a.log.Debug("shopify discount code exists already", "code", code)
			return nil
		}
		msgs = append(msgs, e.String())
	}
	return plusone.Errorf(plusone.EINVALID, "Shopify refused discount code %s: %s", code, strings.Join(msgs, "; "))
}

// discountUserError is a DiscountUserError.
type discountUserError struct {
	Field   []string `json:"field"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
}

// taken reports whether the error says the code exists already.
func (e discountUserError) taken() bool {
	return strings.EqualFold(e.Code, "TAKEN") || strings.Contains(strings.ToLower(e.Message), "must be unique")
}

func (e discountUserError) String() string {
	msg := clip(strings.TrimSpace(e.Message))
	if len(e.Field) > 0 {
		msg = strings.Join(e.Field, ".") + ": " + msg
	}
	return msg
}

// checkCurrency refuses a currency other than the shop's, which Shopify
// counts a code's amount in. An empty currency is taken as the shop's.
func (a *API) checkCurrency(ctx context.Context, code, currency string) error {
	want := strings.ToUpper(strings.TrimSpace(currency))
	if want == "" {
		return nil
	}
	shop, err := a.shopCurrency(ctx)
	if err != nil {
		return fmt.Errorf("shopify discount code %s: %w", code, err)
	}
	if shop != "" && shop != want {
		return plusone.Errorf(plusone.EINVALID, "discount code %s: the shop counts in %s, the amount is in %s", code, shop, want)
	}
	return nil
}

// shopCurrency returns the shop's currency code, asked once and remembered.
func (a *API) shopCurrency(ctx context.Context) (string, error) {
	a.mu.Lock()
	known := a.currency
	a.mu.Unlock()
	if known != "" {
		return known, nil
	}
	var data struct {
		Shop struct {
			CurrencyCode string `json:"currencyCode"`
		} `json:"shop"`
	}
	if err := a.graphQL(ctx, shopCurrencyQuery, nil, &data, writeScopes); err != nil {
		return "", err
	}
	cur := currency(data.Shop.CurrencyCode)
	a.mu.Lock()
	a.currency = cur
	a.mu.Unlock()
	return cur, nil
}
