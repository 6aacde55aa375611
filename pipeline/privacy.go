package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
)

// Comply carries out a privacy request of a source (e.Type.IsPrivacy) in
// tx: it erases the customer the request names (customer.redact), or
// queues the erasure of every customer known through the source
// (shop.redact, a JobShopRedact for Eraser), or tells the supervisors that
// a data request came (customer.data_request). It returns the ids of the
// customers it erased. Done again (a redelivery, a replay), it erases
// nobody twice, queues one job and tells the supervisors once.
func (a *Applier) Comply(ctx context.Context, tx plusone.Tx, e plusone.Event, now time.Time) ([]int64, error) {
	c := plusone.Compliance{}
	if e.Compliance != nil {
		c = *e.Compliance
	}
	er := plusone.Erasure{By: string(e.Source), Via: string(e.Source), Ref: c.RequestID, At: now}
	switch e.Type {
	case plusone.EventCustomerRedact:
		return memory.EraseIdentities(ctx, tx, e.Customer.Identities(e.Source), er)
	case plusone.EventShopRedact:
		// Too many for one transaction: a job erases them (Eraser).
		payload, err := json.Marshal(shopRedact{Source: e.Source, Ref: c.RequestID})
		if err != nil {
			return nil, err
		}
		_, err = tx.EnqueueJob(ctx, &plusone.Job{Kind: JobShopRedact, Key: fmt.Sprintf("shop_redact:%s:%s", e.Source, c.RequestID),
			Payload: payload, CreatedAt: now}, now)
		return nil, err
	case plusone.EventDataRequest:
		return nil, a.dataRequest(ctx, tx, e, c, now)
	default:
		return nil, plusone.Errorf(plusone.EINVALID, "%s is not a privacy request", e.Type)
	}
}

// dataRequest queues the message that tells the supervisors of a data
// request: to the approvals channel, or else to each supervisor directly.
// It names her by the email of the request only, which they need to fetch
// the export; nothing else of hers goes to Slack. With neither channel nor
// supervisors in the policy, the audit log alone records it.
func (a *Applier) dataRequest(ctx context.Context, tx plusone.Tx, e plusone.Event, c plusone.Compliance, now time.Time) error {
	email := plusone.NormalizeEmail(e.Customer.Email)
	if err := tx.Audit(ctx, string(e.Source), "data_request", "request:"+c.RequestID, "received", now); err != nil {
		return err
	}
	p := a.Policy()
	to := p.Approvals.Supervisors
	if p.Approvals.Channel != "" {
		to = []string{p.Approvals.Channel}
	}
	for _, ch := range to {
		payload, err := json.Marshal(plusone.Notice{Kind: plusone.NoticeDataRequest, Channel: ch,
			DataRequest: &plusone.DataRequest{Source: e.Source, Shop: c.Shop, RequestID: c.RequestID, Email: email,
				ExternalID: e.Customer.ExternalID}})
		if err != nil {
			return err
		}
		key := fmt.Sprintf("msg:data_request:%s:%s:%s", e.Source, c.RequestID, ch)
		if _, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobNotice, Key: key, Payload: payload, CreatedAt: now}, now); err != nil {
			return err
		}
	}
	return nil
}
