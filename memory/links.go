package memory

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/plusone-hq/plusone"
)

// ParseLink tells which ticket or order a vendor URL points at, by the
// link shapes of sources. On a host of domains (the policy's link_domains:
// helpdesks on the customer's own domain) the path alone is matched, by the
// shapes of the vendors that have custom domains (LinkPattern.Path).
func ParseLink(sources []plusone.SourceInfo, domains []string, link string) (source plusone.Source, id string, order, ok bool) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", "", false, false
	}
	if slices.Contains(domains, strings.ToLower(u.Hostname())) {
		for _, src := range sources {
			for _, p := range src.Links {
				if p.Path == nil {
					continue
				}
				if m := p.Path.FindStringSubmatch(u.Path); m != nil {
					return src.Source, m[1], p.Order, true
				}
			}
		}
	}
	s := u.Host + u.Path
	if u.Fragment != "" {
		s += "/" + u.Fragment // Intercom puts the conversation in the fragment sometimes
	}
	for _, src := range sources {
		for _, p := range src.Links {
			if m := p.Pattern.FindStringSubmatch(s); m != nil {
				return src.Source, m[1], p.Order, true
			}
		}
	}
	return "", "", false, false
}

// ByLink returns the card of the customer a ticket, conversation or order
// URL belongs to, with that ticket when it is one; ok is false for a URL
// plusone does not know.
func (s *Service) ByLink(ctx context.Context, link string) (*plusone.ContextCard, bool, error) {
	source, id, order, ok := ParseLink(s.Sources, s.Policy().LinkDomains, link)
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
