package storetest

import (
	"context"
	"fmt"
	"time"

	"github.com/plusone-hq/plusone"
)

// Population is what Populate stored: for benchmarks to ask for.
type Population struct {
	// Customers are the customers' IDs, in the order created.
	Customers []int64
	// Emails are their emails, in the same order.
	Emails []string
	// Agents are the agents who helped them and offered gestures.
	Agents []string
}

// Populate stores n customers the way the pipeline leaves them: each with
// an email identity, a name, a profile, a ticket, an order and three
// touchpoints, helped by one of ten agents; every twentieth got a gesture,
// spread over the 30 days before now. It writes in transactions of batch
// customers. It is the generator of the benchmarks that need a store of
// realistic size (the console's pages with 100,000 customers).
func Populate(ctx context.Context, s plusone.Store, n, batch int, now time.Time) (Population, error) {
	var pop Population
	for i := range 10 {
		pop.Agents = append(pop.Agents, fmt.Sprintf("U0AGENT%02d", i))
	}
	for start := 0; start < n; start += batch {
		err := s.Update(ctx, func(tx plusone.Tx) error {
			for i := start; i < min(start+batch, n); i++ {
				id, email, err := populateOne(ctx, tx, i, pop.Agents[i%len(pop.Agents)], now)
				if err != nil {
					return fmt.Errorf("customer %d: %w", i, err)
				}
				pop.Customers = append(pop.Customers, id)
				pop.Emails = append(pop.Emails, email)
			}
			return nil
		})
		if err != nil {
			return pop, err
		}
	}
	return pop, nil
}

func populateOne(ctx context.Context, tx plusone.Tx, i int, agent string, now time.Time) (int64, string, error) {
	// Names share prefixes, as real ones do, so that a name search finds
	// many.
	firstNames := [...]string{"Jane", "John", "Maya", "Ana", "Ben", "Chen", "Dora", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kim", "Lena", "Marco"}
	lastNames := [...]string{"Doe", "Chen", "Ruiz", "Smith", "Okafor", "Novak", "Kowalski", "Haddad", "Ito", "Jensen", "Lopez", "Martin", "Nguyen", "Olsen", "Park", "Quinn", "Rossi"}
	email := fmt.Sprintf("customer%06d@example.com", i)
	at := now.Add(-time.Duration(i%(30*24)) * time.Hour)
	c := &plusone.Customer{Name: firstNames[i%len(firstNames)] + " " + lastNames[(i/len(firstNames))%len(lastNames)],
		Email: email, CreatedAt: at.AddDate(0, -6, 0),
		Profile: plusone.Profile{Orders: 1, LifetimeValue: plusone.Money(1000 + i%50000), Currency: "USD",
			FirstSeen: at.AddDate(0, -6, 0), LastSeen: at, OpenTickets: 1, Tier: plusone.TierSatisfied}}
	if err := tx.CreateCustomer(ctx, c); err != nil {
		return 0, "", err
	}
	if err := tx.AddIdentity(ctx, c.ID, plusone.Identity{Kind: plusone.IdentityEmail, Value: email}, at); err != nil {
		return 0, "", err
	}
	ticket := plusone.TicketRecord{Ticket: plusone.Ticket{ID: fmt.Sprint("T-", i), Subject: "Where is my order?", Status: "open",
		URL: fmt.Sprintf("https://help.example.com/T-%d", i)}, Source: plusone.SourceGeneric, CustomerID: c.ID, CreatedAt: at, UpdatedAt: at}
	if err := tx.SaveTicket(ctx, &ticket); err != nil {
		return 0, "", err
	}
	order := plusone.OrderRecord{Order: plusone.Order{ID: fmt.Sprint(i), Name: fmt.Sprint("#", 1000+i), Total: 42_00, Currency: "USD",
		Status: "fulfilled", CreatedAt: at.AddDate(0, -1, 0)}, Source: plusone.SourceGeneric, CustomerID: c.ID, UpdatedAt: at}
	if err := tx.SaveOrder(ctx, &order); err != nil {
		return 0, "", err
	}
	for k, tp := range []plusone.Touchpoint{
		{Kind: plusone.TouchOrder, Ref: order.ID, OccurredAt: order.CreatedAt, Summary: "Order " + order.Name, Amount: 42_00, Currency: "USD"},
		{Kind: plusone.TouchTicketOpened, Ref: ticket.ID, OccurredAt: at, Summary: "Opened ticket: Where is my order?", URL: ticket.URL},
		{Kind: plusone.TouchMessage, Ref: ticket.ID, OccurredAt: at.Add(time.Minute), Summary: "My order has not arrived."},
	} {
		tp.CustomerID, tp.Source, tp.DedupeKey = c.ID, plusone.SourceGeneric, fmt.Sprintf("pop-%d-%d", i, k)
		if _, err := tx.AddTouchpoint(ctx, &tp); err != nil {
			return 0, "", err
		}
	}
	if err := tx.TouchAgent(ctx, agent, c.ID, "looked up", at); err != nil {
		return 0, "", err
	}
	if i%20 == 0 {
		e := &plusone.LedgerEntry{Key: fmt.Sprint("pop-", i), Gesture: "free_express_shipping", Title: "Free express shipping on the next order",
			Kind: "shipping", Value: 15_00, Charge: 15_00, Currency: "USD", CustomerID: c.ID, Agent: agent, Team: "frontline",
			Status: plusone.StatusGranted, Reason: "within your limits", By: agent, TicketKey: ticket.Key(), CreatedAt: at}
		if _, _, err := tx.AppendLedger(ctx, e); err != nil {
			return 0, "", err
		}
	}
	return c.ID, email, nil
}
