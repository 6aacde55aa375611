package bot

import (
	"encoding/json"
	"fmt"
)

// appEvent is the part of the Events API inner events the app reads.
type appEvent struct {
	Type      string `json:"type"`
	User      string `json:"user"`
	Tab       string `json:"tab"`
	Channel   string `json:"channel"`
	MessageTS string `json:"message_ts"`
	Links     []struct {
		Domain string `json:"domain"`
		URL    string `json:"url"`
	} `json:"links"`
}

func parseEvent(body []byte) (appEvent, error) {
	var env struct {
		Event json.RawMessage `json:"event"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return appEvent{}, fmt.Errorf("events API body: %w", err)
	}
	if len(env.Event) == 0 {
		return appEvent{}, errNoEvent
	}
	var ev appEvent
	if err := json.Unmarshal(env.Event, &ev); err != nil {
		return appEvent{}, fmt.Errorf("events API event: %w", err)
	}
	return ev, nil
}
