package freshdesk

import (
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// text is a scalar of a rule's body: placeholders render as text, one left
// unquoted arrives as a number or a boolean, and one Freshdesk did not
// render ("{{ticket.id}}") reads as empty.
type text = webhook.TemplateText

// tagList reads tags as a JSON array of strings or as one string of tags
// separated by commas, as {{ticket.tags}} renders them ("vip, late
// delivery"). Freshdesk tags may contain spaces, so spaces do not separate.
type tagList []string

// UnmarshalJSON accepts an array of strings, a string or null.
func (v *tagList) UnmarshalJSON(b []byte) error {
	tags, err := webhook.Tags(b, func(s string) []string {
		parts := strings.Split(s, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts
	})
	if err != nil {
		return err
	}
	*v = tags
	return nil
}

// parseTime reads a rendered time in UTC: Rails' default rendering
// ("2025-01-08 10:12:07 UTC", "2025-01-08 15:42:07 +0530") or ISO 8601.
// Localised renderings without a zone cannot be read; the pipeline then uses
// the time the delivery arrived.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	// Other zone abbreviations are ambiguous; only these two are certain.
	for _, utc := range []string{" UTC", " GMT"} {
		if rest, ok := strings.CutSuffix(s, utc); ok {
			s = rest + " +0000"
		}
	}
	for _, layout := range []string{"2006-01-02 15:04:05 -0700", time.RFC3339, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
