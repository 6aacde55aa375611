package shopify

import (
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// complianceJSON is the body of Shopify's mandatory compliance webhooks
// (customers/data_request, customers/redact, shop/redact): the shop, and
// the customer for the first two. Shopify may send the customer's email
// alone.
type complianceJSON struct {
	ShopID     id     `json:"shop_id"`
	ShopDomain string `json:"shop_domain"`
	Customer   *struct {
		ID    id     `json:"id"`
		Email string `json:"email"`
		Phone string `json:"phone"`
	} `json:"customer"`
	DataRequest *struct {
		ID id `json:"id"`
	} `json:"data_request"`
}

// compliance parses a compliance webhook into a privacy event of typ. The
// request's id is Shopify's data request id when it gives one, else the
// delivery's.
func (b event) compliance(body []byte, typ plusone.EventType) (*plusone.Event, error) {
	var c complianceJSON
	if err := webhook.Decode(body, &c, ""); err != nil {
		return nil, err
	}
	e := b.new(typ)
	shop := shopDomain(c.ShopDomain)
	if shop == "" {
		shop = b.shop
	}
	e.Compliance = &plusone.Compliance{Shop: shop, RequestID: b.id}
	if c.DataRequest != nil && c.DataRequest.ID != "" {
		e.Compliance.RequestID = string(c.DataRequest.ID)
	}
	if typ == plusone.EventShopRedact {
		if c.ShopID == "" && shop == "" {
			return nil, webhook.Invalid(`field "shop_id": required (or "shop_domain")`)
		}
		return e, nil
	}
	if c.Customer == nil {
		return nil, webhook.Invalid(`field "customer": required for %s`, typ)
	}
	e.Customer = plusone.CustomerRef{ExternalID: string(c.Customer.ID), Phone: strings.TrimSpace(c.Customer.Phone)}
	if plusone.NormalizeEmail(c.Customer.Email) != "" {
		e.Customer.Email = strings.TrimSpace(c.Customer.Email)
	}
	if !known(e.Customer) {
		return nil, webhook.Invalid(`field "customer": needs an "id" or an "email"`)
	}
	return e, nil
}
