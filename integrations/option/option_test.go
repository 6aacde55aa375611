package option_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/integrations/option"
)

// TestApply: options with values out of range leave the defaults; nil
// options are skipped; later options win.
func TestApply(t *testing.T) {
	t.Parallel()
	s := option.Defaults()
	option.Apply(&s, []option.Option{
		nil,
		option.WithHTTPClient(nil), option.WithTimeout(0), option.WithTimeout(-time.Second), option.WithRetries(-1),
		option.WithRetryWait(0), option.WithLogger(nil), option.WithClock(nil),
		option.WithLinkBase(""), option.WithAppID(""), option.WithAPIVersion(""),
	})
	if s.HTTPClient != nil || s.Timeout != option.DefaultTimeout || s.Retries != option.DefaultRetries ||
		s.RetryWait != option.DefaultRetryWait || s.Log == nil || s.Now == nil || s.LinkBase != "" || s.AppID != "" || s.APIVersion != "" {
		t.Errorf("out-of-range options changed the defaults: %+v", s)
	}

	c := &http.Client{}
	l := slog.Default()
	option.Apply(&s, []option.Option{
		option.WithHTTPClient(c), option.WithTimeout(time.Second), option.WithRetries(0), option.WithRetries(2),
		option.WithRetryWait(time.Millisecond), option.WithLogger(l), option.WithLinkBase("https://help.acme.com"),
		option.WithAppID("a86dr8yl"), option.WithAPIVersion("2025-10"), option.WithUserCache(8, time.Minute), option.WithUserCache(0, 0),
	})
	if s.HTTPClient != c || s.Timeout != time.Second || s.Retries != 2 || s.RetryWait != time.Millisecond || s.Log != l ||
		s.LinkBase != "https://help.acme.com" || s.AppID != "a86dr8yl" || s.APIVersion != "2025-10" || s.UserCacheSize != 0 || s.UserCacheTTL != time.Minute {
		t.Errorf("options not applied in order: %+v", s)
	}
}
