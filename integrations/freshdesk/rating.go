package freshdesk

import (
	"strconv"
	"strings"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// csat reads the rating a satisfaction rule sets onto the CSAT scale: a
// score from 1 to 5; a rating code of Freshdesk's API (103 "extremely happy"
// to -103 "extremely unhappy"; the codes 1, 2 and 3 of the classic survey are
// read as the 1-5 scores they look like); or the words of Freshdesk's survey
// choices, the classic three (Awesome, Just okay, Not good) read as 5, 3
// and 1.
func csat(rating string) (int, error) {
	r := strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(lower(rating))), " ")
	if r == "" {
		return 0, webhook.Invalid(`field "satisfaction.rating": required for "event": "satisfaction"; set it to the rating the rule matches, from 1 to 5`)
	}
	if n, err := strconv.Atoi(strings.ReplaceAll(lower(rating), " ", "")); err == nil {
		switch {
		case n >= 1 && n <= 5:
			return n, nil
		case n == 103 || n == 102:
			return 5, nil
		case n == 101:
			return 4, nil
		case n == 100:
			return 3, nil
		case n == -101:
			return 2, nil
		case n == -102 || n == -103:
			return 1, nil
		}
	} else {
		switch r {
		case "extremely happy", "very happy", "awesome", "extremely satisfied", "very satisfied":
			return 5, nil
		case "happy", "satisfied", "good":
			return 4, nil
		case "neutral", "just okay", "okay", "ok":
			return 3, nil
		case "unhappy", "dissatisfied":
			return 2, nil
		case "very unhappy", "extremely unhappy", "very dissatisfied", "extremely dissatisfied", "not good", "bad":
			return 1, nil
		}
	}
	return 0, webhook.Invalid(`field "satisfaction.rating": %q is not a rating; use 1 to 5, a Freshdesk rating code (103 to -103) or words such as "Extremely happy"`, webhook.Clip(rating))
}
