package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// TicketsCreated lists the tickets created in [from, to), oldest first.
func (t *tx) TicketsCreated(ctx context.Context, from, to time.Time, limit int) ([]plusone.TicketRecord, error) {
	rows, err := t.query(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE created_at >= ? AND created_at < ?
		ORDER BY created_at, source, ticket_id LIMIT ?`, from.UnixMicro(), to.UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("tickets created from %s: %w", from.Format(time.RFC3339), err)
	}
	return collect(rows, deref(scanTicket))
}

// TouchpointsBetween lists the touchpoints of kinds that occurred in
// [from, to), oldest first.
func (t *tx) TouchpointsBetween(ctx context.Context, from, to time.Time, kinds []plusone.TouchpointKind, limit int) ([]plusone.Touchpoint, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	args := []any{}
	for _, k := range kinds {
		args = append(args, string(k))
	}
	args = append(args, from.UnixMicro(), to.UnixMicro(), limit)
	rows, err := t.query(ctx, `
		SELECT id, customer_id, source, kind, ref, dedupe_key, occurred_at, summary, url, amount, currency, score, scale
		FROM touchpoints WHERE kind IN (?`+strings.Repeat(", ?", len(kinds)-1)+`) AND occurred_at >= ? AND occurred_at < ?
		ORDER BY occurred_at, id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("touchpoints from %s: %w", from.Format(time.RFC3339), err)
	}
	return collect(rows, scanTouchpoint)
}

// AgentSetting reads an agent's setting; "" when she never set it.
func (t *tx) AgentSetting(ctx context.Context, agent, name string) (string, error) {
	var v string
	err := t.queryRow(ctx, `SELECT value FROM agent_settings WHERE agent = ? AND name = ?`, agent, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("setting %s of %s: %w", name, agent, err)
	}
	return v, nil
}

// SetAgentSetting creates or replaces an agent's setting.
func (t *tx) SetAgentSetting(ctx context.Context, agent, name, value string, now time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO agent_settings (agent, name, value, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (agent, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		agent, name, value, now.UnixMicro())
	if err != nil {
		return fmt.Errorf("set %s of %s: %w", name, agent, err)
	}
	return nil
}
