package memory

import (
	"context"
	"errors"
	"net/url"
	"regexp"

	"github.com/plusone-hq/plusone"
)

// linkPattern recognises the URL of a ticket, conversation or order at a
// vendor: the source, whether it names an order, and the id's group.
type linkPattern struct {
	source plusone.Source
	order  bool
	re     *regexp.Regexp
}

// linkPatterns lists the vendor URL shapes plusone unfurls.
func linkPatterns() []linkPattern {
	return []linkPattern{
		{plusone.SourceZendesk, false, regexp.MustCompile(`\.zendesk\.com/(?:agent/tickets|tickets|hc/[^/]+/requests)/(\d+)`)},
		{plusone.SourceIntercom, false, regexp.MustCompile(`intercom\.com/.*/conversations?/(\d+)`)},
		{plusone.SourceHelpScout, false, regexp.MustCompile(`helpscout\.net/conversation/(\d+)`)},
		{plusone.SourceFreshdesk, false, regexp.MustCompile(`\.freshdesk\.com/(?:a/tickets|helpdesk/tickets)/(\d+)`)},
		{plusone.SourceShopify, true, regexp.MustCompile(`/admin/orders/(\d+)`)},
	}
}

// ParseLink tells which ticket or order a vendor URL points at.
func ParseLink(link string) (source plusone.Source, id string, order, ok bool) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", "", false, false
	}
	s := u.Host + u.Path
	if u.Fragment != "" {
		s += "/" + u.Fragment // Intercom puts the conversation in the fragment sometimes
	}
	for _, p := range linkPatterns() {
		if m := p.re.FindStringSubmatch(s); m != nil {
			return p.source, m[1], p.order, true
		}
	}
	return "", "", false, false
}

// ByLink returns the card of the customer a ticket, conversation or order
// URL belongs to, with that ticket when it is one; ok is false for a URL
// plusone does not know.
func (s *Service) ByLink(ctx context.Context, link string) (*plusone.ContextCard, bool, error) {
	source, id, order, ok := ParseLink(link)
	if !ok {
		return nil, false, nil
	}
	var card *plusone.ContextCard
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var customerID int64
		var ticket *plusone.TicketRecord
		if order {
			o, err := tx.Order(ctx, source, id)
			if err != nil {
				return err
			}
			customerID = o.CustomerID
		} else {
			t, err := tx.Ticket(ctx, source, id)
			if err != nil {
				return err
			}
			customerID, ticket = t.CustomerID, t
		}
		var err error
		if card, err = CustomerCard(ctx, tx, customerID, s.Policy(), s.Clock()); err != nil {
			return err
		}
		if ticket != nil {
			card.Ticket = *ticket
		}
		return nil
	})
	if errors.Is(err, plusone.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return card, true, nil
}
