package console

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/memory"
)

// searchLimit is how many customers a search lists.
const searchLimit = 25

// searchPage is the customer search.
type searchPage struct {
	Query   string
	Found   []plusone.Customer
	More    bool
	Hidden  int // matches that are other agents' customers
	Recent  []plusone.RecentCustomer
	Message string
}

// handleSearch finds customers by exact email or name prefix (the store's
// FindCustomers, as /plusone in Slack). One match opens her page. An agent
// sees only the customers she helped; a supervisor everyone.
func (c *Console) handleSearch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewerOf(r)
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		if len(q) > 200 {
			c.fail(w, r, http.StatusBadRequest, "The search is too long: search by an email or the start of a name.")
			return
		}
		page := searchPage{Query: q}
		ctx := r.Context()
		err := c.Store.View(ctx, func(tx plusone.Tx) error {
			if q == "" {
				if v.ID == "" {
					return nil
				}
				var err error
				page.Recent, err = tx.RecentCustomers(ctx, v.ID, 20)
				return err
			}
			found, err := tx.FindCustomers(ctx, q, searchLimit+1)
			if err != nil {
				return err
			}
			for _, f := range found {
				if f.ErasedAt.IsZero() {
					ok, err := c.mayView(ctx, tx, v, f.ID)
					if err != nil {
						return err
					}
					if !ok {
						page.Hidden++
						continue
					}
				}
				page.Found = append(page.Found, f)
			}
			return nil
		})
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		if len(page.Found) > searchLimit {
			page.Found, page.More = page.Found[:searchLimit], true
		}
		if len(page.Found) == 1 && page.Hidden == 0 {
			http.Redirect(w, r, "/console/customers/"+strconv.FormatInt(page.Found[0].ID, 10), http.StatusSeeOther)
			return
		}
		if q != "" && len(page.Found) == 0 {
			page.Message = "No customer matches “" + q + "”."
			if page.Hidden > 0 {
				page.Message = "Only other agents' customers match “" + q + "”."
			}
		}
		c.render(w, r, "search", "Customers", "customers", page)
	})
}

// mayView says whether the viewer may see customer id: a supervisor (or
// an open console) always, an agent when she helped her.
func (c *Console) mayView(ctx context.Context, tx plusone.Tx, v viewer, id int64) (bool, error) {
	if v.Supervisor {
		return true, nil
	}
	return tx.Helped(ctx, v.ID, id)
}

// customerPage is one customer: her card as Slack shows it, her timeline,
// her gestures and notes.
type customerPage struct {
	Customer plusone.Customer
	Tier     string
	Card     template.HTML
	Timeline []plusone.Touchpoint
	Gestures []plusone.LedgerEntry
	Currency string
}

// timelineLimit is how much of her timeline the page lists.
const timelineLimit = 200

// handleCustomer shows a customer: her card (the bot's own Block Kit, as
// HTML), her timeline, newest first, and her gestures.
func (c *Console) handleCustomer() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			c.fail(w, r, http.StatusNotFound, "There is no such customer.")
			return
		}
		v := viewerOf(r)
		ctx := r.Context()
		policy := c.Policy()
		var page customerPage
		err = c.Store.View(ctx, func(tx plusone.Tx) error {
			cust, err := tx.Customer(ctx, id)
			if err != nil {
				return err
			}
			ok, err := c.mayView(ctx, tx, v, id)
			if err != nil {
				return err
			}
			if !ok {
				return errNotYours
			}
			page.Customer, page.Currency = *cust, policy.Currency
			if !cust.ErasedAt.IsZero() {
				page.Card = view.HTML(view.ErasedCardMessage(""))
				return nil
			}
			card, err := latestCard(ctx, tx, id, policy, c.now())
			if err != nil {
				return err
			}
			page.Tier = string(card.View.Customer.Profile.Tier)
			page.Card = view.HTML(view.CardMessage(*card))
			if page.Timeline, err = tx.Timeline(ctx, id, timelineLimit); err != nil {
				return err
			}
			page.Gestures, err = tx.Gestures(ctx, id, 50)
			return err
		})
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		c.render(w, r, "customer", page.Customer.DisplayName(), "customers", page)
	})
}

// latestCard is the card the bot posts for her latest ticket, or, if she
// has none, the card of a lookup in Slack.
func latestCard(ctx context.Context, tx plusone.Tx, id int64, policy *plusone.Policy, now time.Time) (*plusone.ContextCard, error) {
	cards, err := tx.CardsOfCustomer(ctx, id, 1)
	if err != nil {
		return nil, err
	}
	if len(cards) == 1 {
		return memory.LoadCard(ctx, tx, cards[0].Key, policy, now)
	}
	return memory.CustomerCard(ctx, tx, id, policy, now)
}
