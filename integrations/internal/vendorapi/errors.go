package vendorapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
)

// Vendor is what errors say about the API.
type Vendor struct {
	// Name is the vendor as users know it: "Zendesk".
	Name string
	// Refused is the message of HTTP 401 and 403, with one %d for the
	// status; it names the settings to check.
	Refused string
	// Detail picks the vendor's own explanation out of an error body, short
	// and without secrets; nil when there is none to read.
	Detail func(body []byte) string
}

// RequestError explains a request that got no usable answer: ctx done (the
// context's error is wrapped, for errors.Is), a wait longer than allowed,
// or the vendor unreachable. The last two are EUNAVAILABLE.
func (v Vendor) RequestError(ctx context.Context, op string, resp *resty.Response, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
	if ra, ok := errors.AsType[*RetryAfterError](err); ok && resp != nil {
		return fmt.Errorf("%s: %w", op, plusone.Errorf(plusone.EUNAVAILABLE,
			"%s rate limit: HTTP %d asks to wait %s, longer than this client waits", v.Name, resp.StatusCode(), ra.Wait))
	}
	return fmt.Errorf("%s: %w: %w", op, plusone.Errorf(plusone.EUNAVAILABLE, "%s cannot be reached", v.Name), err)
}

// StatusError describes an error status once retries, if any, are spent:
// EUNAUTHORIZED for refused credentials, EUNAVAILABLE for 429 and 5xx, and
// otherwise the status with the vendor's own explanation from body.
func (v Vendor) StatusError(status int, body []byte) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return plusone.Errorf(plusone.EUNAUTHORIZED, v.Refused, status)
	case status == http.StatusTooManyRequests || status >= 500:
		return plusone.Errorf(plusone.EUNAVAILABLE, "%s answered HTTP %d", v.Name, status)
	}
	name := strings.ToLower(v.Name)
	if v.Detail != nil {
		if msg := v.Detail(body); msg != "" {
			return fmt.Errorf("%s answered HTTP %d: %s", name, status, msg)
		}
	}
	return fmt.Errorf("%s answered HTTP %d", name, status)
}

// ChangeError reads the answer to a change of one object at the vendor
// (a reply, an assignment, a status): nil for 2xx; EINVALID in plain words
// for 404 (missing says which object) and for the statuses in refusing
// (refused says which change, then the vendor's explanation), which no
// retry mends; else op's StatusError.
func (v Vendor) ChangeError(op string, resp *resty.Response, missing, refused string, refusing ...int) error {
	switch s := resp.StatusCode(); {
	case s >= 200 && s <= 299:
		return nil
	case s == http.StatusNotFound:
		return plusone.Errorf(plusone.EINVALID, "%s", missing)
	case slices.Contains(refusing, s):
		return plusone.Errorf(plusone.EINVALID, "%s: %s", refused, v.StatusError(s, resp.Body()))
	default:
		return fmt.Errorf("%s: %w", op, v.StatusError(s, resp.Body()))
	}
}
