package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/slack-go/slack"
)

// CommandsHandler serves POST /slack/commands: Slack's signature is
// verified (v0, 5-minute window), then /plusone is answered.
func (a *App) CommandsHandler(signingSecret string, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.verified(w, r, signingSecret, maxBody) {
			return
		}
		cmd, err := slack.SlashCommandParse(r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not a slash command: " + err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, a.Command(r.Context(), cmd))
	})
}

// InteractionsHandler serves POST /slack/interactions: buttons, shortcuts
// and modal submissions, after the signature is verified. Modal
// submissions are answered with their result; everything else is
// acknowledged at once and done after, within Slack's 3 seconds either way.
func (a *App) InteractionsHandler(signingSecret string, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.verified(w, r, signingSecret, maxBody) {
			return
		}
		var cb slack.InteractionCallback
		if err := json.Unmarshal([]byte(r.PostFormValue("payload")), &cb); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not an interaction payload: " + err.Error()})
			return
		}
		if cb.Type == slack.InteractionTypeViewSubmission {
			if resp := a.Interaction(r.Context(), cb); resp != nil {
				writeJSON(w, http.StatusOK, resp)
				return
			}
			w.WriteHeader(http.StatusOK)
			return
		}
		a.interactionLater(r.Context(), cb)
		w.WriteHeader(http.StatusOK)
	})
}

// verified reads the body within maxBody, checks Slack's signature over it
// and leaves the body readable again; it answers 401 or 413 itself.
func (a *App) verified(w http.ResponseWriter, r *http.Request, secret string, maxBody int64) bool {
	sv, err := slack.NewSecretsVerifier(r.Header, secret)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Slack signature: " + err.Error()})
		return false
	}
	body, err := io.ReadAll(io.TeeReader(http.MaxBytesReader(w, r.Body, maxBody), &sv))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "body too large"})
			return false
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "could not read body"})
		return false
	}
	if err := sv.Ensure(); err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Slack signature: " + err.Error()})
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
