package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// EraseCustomer removes everything stored about a customer but her ledger
// entries, under her identities' and her own locks (lock.go), as a merge
// takes them: whoever finds her through an identity waits, and then finds
// nobody.
func (t *tx) EraseCustomer(ctx context.Context, customerID int64, now time.Time) (bool, error) {
	if err := t.lockIdentitiesOf(ctx, customerID); err != nil {
		return false, fmt.Errorf("erase %d: %w", customerID, err)
	}
	if err := t.Lock(ctx, plusone.CustomerLock(customerID)); err != nil {
		return false, fmt.Errorf("erase %d: %w", customerID, err)
	}
	c, err := t.Customer(ctx, customerID)
	if err != nil {
		return false, fmt.Errorf("erase: %w", err)
	}
	if !c.ErasedAt.IsZero() {
		return false, nil // erased before: nothing of hers is left
	}
	emails, err := t.emailsOf(ctx, c)
	if err != nil {
		return false, fmt.Errorf("erase %d: %w", customerID, err)
	}
	if err := t.scrubInbox(ctx, emails); err != nil {
		return false, fmt.Errorf("erase %d: %w", customerID, err)
	}
	if err := t.scrubJobs(ctx, c.ID, emails, now); err != nil {
		return false, fmt.Errorf("erase %d: %w", customerID, err)
	}
	id := customerID
	stmts := []struct {
		q    string
		args []any
	}{
		{`DELETE FROM identities WHERE customer_id = ?`, []any{id}},
		{`DELETE FROM touchpoints WHERE customer_id = ?`, []any{id}},
		{`DELETE FROM tickets WHERE customer_id = ?`, []any{id}},
		{`DELETE FROM orders WHERE customer_id = ?`, []any{id}},
		{`DELETE FROM carts WHERE customer_id = ?`, []any{id}},
		{`DELETE FROM preferences WHERE customer_id = ?`, []any{id}},
		{`DELETE FROM notes WHERE customer_id = ?`, []any{id}},
		{`DELETE FROM agent_customers WHERE customer_id = ?`, []any{id}},
		{`DELETE FROM customer_names WHERE customer_id = ?`, []any{id}},
		// What a model said about her cards speaks of her.
		{`DELETE FROM llm_wordings WHERE customer_id = ?`, []any{id}},
		// A merge or split record names an identity of hers.
		{`DELETE FROM merges WHERE into_id = ? OR from_id = ?`, []any{id, id}},
		// Back-fills not run yet carry her email and would bring her
		// history back (pipeline's job key: "backfill:<customer>:<source>").
		{`UPDATE jobs SET payload = '{}', state = 'done', done_at = ?, locked_by = NULL, locked_until = NULL
			WHERE key LIKE ? AND kind = 'backfill'`, []any{now.UnixMicro(), "backfill:" + strconv.FormatInt(id, 10) + ":%"}},
		// A card nobody tried to post yet goes; every other one shows
		// "erased" at its next delivery (its ticket is gone), in the message
		// Slack has or may have.
		{`DELETE FROM cards WHERE customer_id = ? AND ts = '' AND doubt = 0 AND locked_by IS NULL`, []any{id}},
		{`UPDATE cards SET version = version + 1, state = 'pending', attempts = 0, run_after = ?, updated_at = ?
			WHERE customer_id = ?`, []any{now.UnixMicro(), now.UnixMicro(), id}},
		{`UPDATE customers SET name = '', email = '', phone = '', name_indexed = '', orders = 0, lifetime_value = 0,
			first_seen = NULL, open_tickets = 0, tier = 'new', nps = NULL, csat = NULL, erased_at = ?, updated_at = ?
			WHERE id = ?`, []any{now.UnixMicro(), now.UnixMicro(), id}},
	}
	for _, s := range stmts {
		if _, err := t.exec(ctx, s.q, s.args...); err != nil {
			return false, fmt.Errorf("erase %d: %w", customerID, err)
		}
	}
	return true, nil
}

// emailsOf lists c's emails, normalised: her record's and her identities'.
func (t *tx) emailsOf(ctx context.Context, c *plusone.Customer) ([]string, error) {
	emails := map[string]bool{}
	if e := plusone.NormalizeEmail(c.Email); e != "" {
		emails[e] = true
	}
	ids, err := t.Identities(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if id.Kind == plusone.IdentityEmail {
			emails[strings.ToLower(id.Value)] = true
		}
	}
	out := make([]string, 0, len(emails))
	for e := range emails {
		out = append(out, e)
	}
	slices.Sort(out)
	return out, nil
}

// scrubInbox empties the raw bodies of the deliveries that name one of
// emails, once they are applied or parked: the inbox keeps them (their
// dedupe keys make a redelivery a duplicate), and they are what the
// sources told about her. A delivery still pending is applied as it
// comes, after the erasure: it makes a new customer.
func (t *tx) scrubInbox(ctx context.Context, emails []string) error {
	if t.x.d.BodyContains == "" {
		return nil
	}
	for _, e := range emails {
		if _, err := t.exec(ctx, `UPDATE inbox SET body = ? WHERE state <> 'pending' AND `+t.x.d.BodyContains,
			[]byte{}, e); err != nil {
			return fmt.Errorf("scrub the inbox: %w", err)
		}
	}
	return nil
}

// scrubJobs empties the payloads of the jobs that name customer id, by one
// of her emails, one of her tickets or one of her gesture requests (the
// outbox's notices): ticket work on her tickets or for her (a reply's
// text, a ticket to create) is cancelled if it is not done yet; a notice
// sent or parked keeps nothing of hers; a notice not sent yet that names
// her email is cancelled, while one that names only her ticket or request
// is composed from the store when it is sent, and shows her erased.
// Payloads are the JSON of plusone.TicketWork and plusone.Notice.
func (t *tx) scrubJobs(ctx context.Context, id int64, emails []string, now time.Time) error {
	rows, err := t.query(ctx, `SELECT source, ticket_id FROM tickets WHERE customer_id = ?`, id)
	if err != nil {
		return fmt.Errorf("her tickets: %w", err)
	}
	tickets, err := collect(rows, func(r scanner) (string, error) {
		var source, ticket string
		err := r.Scan(&source, &ticket)
		return plusone.TicketKey(plusone.Source(source), ticket), err
	})
	if err != nil {
		return fmt.Errorf("her tickets: %w", err)
	}
	rows, err = t.query(ctx, `SELECT DISTINCT COALESCE(request_id, id) FROM ledger WHERE customer_id = ?`, id)
	if err != nil {
		return fmt.Errorf("her requests: %w", err)
	}
	requests, err := collect(rows, func(r scanner) (string, error) {
		var req int64
		err := r.Scan(&req)
		return strconv.FormatInt(req, 10), err
	})
	if err != nil {
		return fmt.Errorf("her requests: %w", err)
	}
	var hers, herEmails, herNotices []string // LIKE patterns
	for _, e := range emails {
		herEmails = append(herEmails, "%"+likeEscape(jsonInner(e))+"%")
	}
	for _, k := range tickets {
		hers = append(hers, `%"ticket":"`+likeEscape(jsonInner(k))+`"%`)
	}
	for _, r := range requests {
		herNotices = append(herNotices, `%"request_id":`+r+`,%`, `%"request_id":`+r+`}%`)
	}
	cancel := func(kind string, patterns []string) error {
		if len(patterns) == 0 {
			return nil
		}
		q, args := likeAny(`UPDATE jobs SET payload = '{}', state = CASE WHEN state = 'pending' THEN 'done' ELSE state END,
			done_at = COALESCE(done_at, ?), locked_by = NULL, locked_until = NULL WHERE kind = ?`, patterns)
		_, err := t.exec(ctx, q, append([]any{now.UnixMicro(), kind}, args...)...)
		return err
	}
	empty := func(kind string, patterns []string) error {
		if len(patterns) == 0 {
			return nil
		}
		q, args := likeAny(`UPDATE jobs SET payload = '{}' WHERE kind = ? AND state <> 'pending'`, patterns)
		_, err := t.exec(ctx, q, append([]any{kind}, args...)...)
		return err
	}
	if err := cancel(plusone.JobTicketWork, append(slices.Clone(hers), herEmails...)); err != nil {
		return fmt.Errorf("scrub ticket work: %w", err)
	}
	if err := cancel(plusone.JobNotice, herEmails); err != nil {
		return fmt.Errorf("scrub the outbox: %w", err)
	}
	if err := empty(plusone.JobNotice, append(hers, herNotices...)); err != nil {
		return fmt.Errorf("scrub the outbox: %w", err)
	}
	return nil
}

// likeAny adds to query, which ends in a WHERE clause, the condition that
// the payload, in lower case, is LIKE any of patterns (in lower case too).
func likeAny(query string, patterns []string) (string, []any) {
	conds := make([]string, len(patterns))
	args := make([]any, len(patterns))
	for i, p := range patterns {
		conds[i] = `LOWER(payload) LIKE ? ESCAPE '\'`
		args[i] = strings.ToLower(p)
	}
	return query + " AND (" + strings.Join(conds, " OR ") + ")", args
}

// likeEscape escapes LIKE's wildcards (and its escape character) in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// jsonInner is s as a JSON string holds it, without the quotes.
func jsonInner(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// UnseenCustomers lists customers, not erased, whose last event (or,
// without any, their creation) is before before, oldest first.
func (t *tx) UnseenCustomers(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	return t.ids(ctx, "unseen customers", `
		SELECT id FROM customers WHERE erased_at IS NULL
			AND (last_seen < ? OR (last_seen IS NULL AND created_at < ?))
		ORDER BY id LIMIT ?`, before.UnixMicro(), before.UnixMicro(), limit)
}

// CustomersOfSource lists the customers, not erased, known through source:
// by an identity of its own or an entry of their timeline from it.
func (t *tx) CustomersOfSource(ctx context.Context, source plusone.Source, limit int) ([]int64, error) {
	return t.ids(ctx, "customers of "+string(source), `
		SELECT id FROM customers WHERE erased_at IS NULL AND (
			id IN (SELECT customer_id FROM identities WHERE kind = ?)
			OR id IN (SELECT customer_id FROM touchpoints WHERE source = ?))
		ORDER BY id LIMIT ?`, string(source), string(source), limit)
}

func (t *tx) ids(ctx context.Context, what, query string, args ...any) ([]int64, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	ids, err := collect(rows, func(r scanner) (int64, error) {
		var id int64
		err := r.Scan(&id)
		return id, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return ids, nil
}
