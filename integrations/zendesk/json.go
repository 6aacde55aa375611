package zendesk

import (
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// text is a scalar of a payload or a trigger body: Zendesk sends ids as
// strings or numbers, and placeholders that a trigger body leaves unquoted
// arrive as numbers or booleans; one Zendesk did not render reads as empty.
type text = webhook.TemplateText

// tagList reads tags as a JSON array of strings or as one string of tags
// separated by spaces or commas, as {{ticket.tags}} renders them.
type tagList []string

// UnmarshalJSON accepts an array of strings, a string or null.
func (v *tagList) UnmarshalJSON(b []byte) error {
	tags, err := webhook.Tags(b, func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	})
	if err != nil {
		return err
	}
	*v = tags
	return nil
}

// parseTime reads an ISO 8601 time as Zendesk writes it, with or without
// seconds ({{ticket.created_at_with_timestamp}} renders "2013-12-12T05:35Z"),
// in UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
