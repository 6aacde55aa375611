package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/plusone-hq/plusone"
)

// queueQueries count each queue's waiting items and find the oldest. Each
// reads only the waiting rows through a partial or a status index
// (inbox_pending, inbox_state, cards_due, ledger_status; jobs_pending below), so a
// scrape costs what waits, not the size of the inbox or the ledger.
var queueQueries = []struct{ queue, query string }{
	{plusone.QueueEvents, `SELECT COUNT(*), MIN(received_at) FROM inbox WHERE state = 'pending'`},
	{plusone.QueueParked, `SELECT COUNT(*), MIN(received_at) FROM inbox WHERE state = 'parked'`},
	{plusone.QueueCards, `SELECT COUNT(*), MIN(updated_at) FROM cards WHERE version > delivered AND state = 'pending'`},
	{plusone.QueueCardsFailed, `SELECT COUNT(*), MIN(updated_at) FROM cards WHERE version > delivered AND state = 'failed'`},
	{plusone.QueueApprovals, `SELECT COUNT(*), MIN(l.created_at) FROM ledger l WHERE l.status = 'pending_approval' AND` + latest},
}

// jobQueues counts pending jobs by kind through jobs_pending.
const jobQueues = `SELECT kind, COUNT(*), MIN(created_at) FROM jobs WHERE state = 'pending' GROUP BY kind ORDER BY kind`

// Queues reports every queue's depth and oldest waiting item.
func (s *Store) Queues(ctx context.Context) ([]plusone.QueueGauge, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	out := make([]plusone.QueueGauge, 0, len(queueQueries))
	for _, q := range queueQueries {
		var n int
		var oldest sql.NullInt64
		if err := s.reader().queryRow(ctx, q.query).Scan(&n, &oldest); err != nil {
			return nil, fmt.Errorf("queue %s: %w", q.queue, err)
		}
		g := plusone.QueueGauge{Queue: q.queue, Depth: n, Oldest: fromTS(oldest)}
		if q.queue == plusone.QueueEvents { // those still in the spool wait too
			if n, at := s.spoolBacklog(); n > 0 {
				g.Depth += n
				if g.Oldest.IsZero() || at.Before(g.Oldest) {
					g.Oldest = at.UTC()
				}
			}
		}
		out = append(out, g)
	}
	rows, err := s.reader().query(ctx, jobQueues)
	if err != nil {
		return nil, fmt.Errorf("job queues: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q plusone.QueueGauge
		var oldest sql.NullInt64
		if err := rows.Scan(&q.Queue, &q.Depth, &oldest); err != nil {
			return nil, fmt.Errorf("job queues: %w", err)
		}
		q.Oldest = fromTS(oldest)
		out = append(out, q)
	}
	return out, rows.Err()
}
