package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Auth signs people in with Slack (OpenID Connect: scopes openid, email,
// profile) and keeps their sessions in a signed cookie. The id token is
// verified with go-oidc against the provider's published keys (issuer,
// audience, expiry, signature); state and nonce, which go-oidc leaves to
// its caller, are checked against a signed short-lived cookie. The
// signing key is derived from the client secret, so every replica accepts
// the sessions of the others and no session store is needed.
type Auth struct {
	ClientID     string
	ClientSecret string
	// Issuer is the OpenID provider: https://slack.com.
	Issuer string
	// PublicURL is the service's base URL; Slack redirects to
	// PublicURL/console/auth/callback. An https URL makes the cookies
	// Secure.
	PublicURL string
	// Team, if set, returns the ID of the Slack workspace plusone serves;
	// people of another workspace are refused.
	Team func(ctx context.Context) (string, error)
	// HTTP reaches the provider (discovery, keys, token); nil uses a
	// client with a 10-second timeout.
	HTTP *http.Client
	// TTL is how long a session lasts; zero means DefaultSessionTTL.
	TTL time.Duration
	Log *slog.Logger

	keyOnce sync.Once
	key     []byte

	mu       sync.Mutex
	provider *oidc.Provider // discovered at the first sign-in
	team     string         // Team's answer, once known
}

// DefaultSessionTTL is how long a console session lasts.
const DefaultSessionTTL = 12 * time.Hour

// loginTTL is how long a sign-in may take at Slack.
const loginTTL = 10 * time.Minute

// Cookie names: the session, and the sign-in under way (state, nonce and
// where to go back to).
const (
	sessionCookie = "plusone_console"
	loginCookie   = "plusone_console_login"
)

// session is a signed-in person.
type session struct {
	ID      string `json:"sid"` // random; the CSRF token is derived from it
	User    string `json:"uid"` // Slack user ID
	Name    string `json:"name"`
	Team    string `json:"team"`
	Expires int64  `json:"exp"` // Unix seconds
}

// login is a sign-in under way.
type login struct {
	State   string `json:"state"`
	Nonce   string `json:"nonce"`
	Next    string `json:"next"`
	Expires int64  `json:"exp"`
}

// slackClaims are the id token's claims plusone reads.
type slackClaims struct {
	UserID string `json:"https://slack.com/user_id"`
	TeamID string `json:"https://slack.com/team_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

func (a *Auth) signingKey() []byte {
	a.keyOnce.Do(func() {
		m := hmac.New(sha256.New, []byte(a.ClientSecret))
		m.Write([]byte("plusone console session v1"))
		a.key = m.Sum(nil)
	})
	return a.key
}

func (a *Auth) secure() bool { return strings.HasPrefix(a.PublicURL, "https://") }

func (a *Auth) ttl() time.Duration {
	if a.TTL > 0 {
		return a.TTL
	}
	return DefaultSessionTTL
}

func (a *Auth) httpClient() *http.Client {
	if a.HTTP != nil {
		return a.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// oauth returns the provider, discovered on first use, and the OAuth2
// configuration for it.
func (a *Auth) oauth(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.provider == nil {
		p, err := oidc.NewProvider(oidc.ClientContext(ctx, a.httpClient()), a.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("discover %s: %w", a.Issuer, err)
		}
		a.provider = p
	}
	return a.provider, &oauth2.Config{
		ClientID: a.ClientID, ClientSecret: a.ClientSecret, Endpoint: a.provider.Endpoint(),
		RedirectURL: a.PublicURL + "/console/auth/callback",
		Scopes:      []string{oidc.ScopeOpenID, "email", "profile"},
	}, nil
}

// workspace is Team's answer, asked once it succeeds.
func (a *Auth) workspace(ctx context.Context) (string, error) {
	if a.Team == nil {
		return "", nil
	}
	a.mu.Lock()
	team := a.team
	a.mu.Unlock()
	if team != "" {
		return team, nil
	}
	team, err := a.Team(ctx)
	if err != nil {
		return "", err
	}
	if team == "" {
		return "", errors.New("slack did not name the workspace")
	}
	a.mu.Lock()
	a.team = team
	a.mu.Unlock()
	return team, nil
}

// sign encodes v as base64url(JSON) "." base64url(HMAC).
func sign(key []byte, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac(key, payload)), nil
}

// verify decodes a value sign made with key into v; false if the value was
// altered or is not one.
func verify(key []byte, s string, v any) bool {
	payload, sig, ok := strings.Cut(s, ".")
	if !ok {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, payload)) {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	return err == nil && json.Unmarshal(b, v) == nil
}

func mac(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// csrfMAC is a form token bound to what: the session, or an open console.
func csrfMAC(key []byte, what string) string {
	return base64.RawURLEncoding.EncodeToString(mac(key, "csrf|"+what))
}

func equalToken(got, want string) bool { return hmac.Equal([]byte(got), []byte(want)) }

func (a *Auth) csrfToken(s session) string { return csrfMAC(a.signingKey(), s.ID) }

// session reads the request's session, if valid and not expired.
func (a *Auth) session(r *http.Request, now time.Time) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	var s session
	if !verify(a.signingKey(), c.Value, &s) || s.User == "" || now.Unix() >= s.Expires {
		return session{}, false
	}
	return s, true
}

func (a *Auth) cookie(name, value, path string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true, Secure: a.secure(),
		SameSite: http.SameSiteLaxMode}
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// safeNext is where to go after signing in: a console page, never another
// site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/console/customers"
	}
	return next
}

// handleLogin sends the browser to Slack's authorize page, remembering
// state, nonce and the page to come back to in a signed cookie.
func (c *Console) handleLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		a := c.Auth
		if a == nil {
			http.Redirect(w, r, "/console/customers", http.StatusSeeOther)
			return
		}
		_, cfg, err := a.oauth(r.Context())
		if err != nil {
			c.Log.Error("console: sign in with slack", "err", err)
			c.fail(w, r, http.StatusBadGateway, "Slack's sign-in cannot be reached right now; try again in a moment.")
			return
		}
		l := login{State: randomToken(), Nonce: randomToken(), Next: safeNext(r.URL.Query().Get("next")),
			Expires: c.now().Add(loginTTL).Unix()}
		v, err := sign(a.signingKey(), l)
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		http.SetCookie(w, a.cookie(loginCookie, v, "/console/auth/", int(loginTTL.Seconds())))
		http.Redirect(w, r, cfg.AuthCodeURL(l.State, oidc.Nonce(l.Nonce)), http.StatusSeeOther)
	})
}

// handleCallback finishes a sign-in: state checked, the code exchanged for
// an id token at Slack, the token verified (signature against Slack's
// keys, issuer, audience, expiry, nonce), the workspace checked; then the
// session cookie is set.
func (c *Console) handleCallback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		a := c.Auth
		if a == nil {
			http.Redirect(w, r, "/console/customers", http.StatusSeeOther)
			return
		}
		q := r.URL.Query()
		if e := q.Get("error"); e != "" {
			c.fail(w, r, http.StatusUnauthorized, "Slack did not sign you in ("+e+"). Go back to the console to try again.")
			return
		}
		var l login
		lc, err := r.Cookie(loginCookie)
		if err != nil || !verify(a.signingKey(), lc.Value, &l) || c.now().Unix() >= l.Expires ||
			l.State == "" || !equalToken(q.Get("state"), l.State) {
			c.fail(w, r, http.StatusBadRequest, "This sign-in link is stale or was not started here. Open the console again to sign in.")
			return
		}
		http.SetCookie(w, a.cookie(loginCookie, "", "/console/auth/", -1))
		claims, err := c.exchange(r.Context(), a, q.Get("code"), l.Nonce)
		if err != nil {
			c.Log.Warn("console: sign-in refused", "err", err)
			c.fail(w, r, http.StatusUnauthorized, "Slack's answer could not be verified, so you are not signed in. Try again.")
			return
		}
		team, err := a.workspace(r.Context())
		if err != nil {
			c.Log.Error("console: which workspace plusone serves", "err", err)
			c.fail(w, r, http.StatusBadGateway, "Slack cannot be asked which workspace plusone serves right now; try again in a moment.")
			return
		}
		if team != "" && claims.TeamID != team {
			c.Log.Warn("console: sign-in from another workspace refused", "team", claims.TeamID)
			c.fail(w, r, http.StatusForbidden, "You signed in to another Slack workspace than the one plusone serves.")
			return
		}
		name := claims.Name
		if name == "" {
			name = claims.Email
		}
		s := session{ID: randomToken(), User: claims.UserID, Name: name, Team: claims.TeamID, Expires: c.now().Add(a.ttl()).Unix()}
		v, err := sign(a.signingKey(), s)
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		http.SetCookie(w, a.cookie(sessionCookie, v, "/console/", int(a.ttl().Seconds())))
		c.Log.Info("console: signed in", "user", s.User)
		http.Redirect(w, r, safeNext(l.Next), http.StatusSeeOther)
	})
}

// exchange trades the code for tokens and verifies the id token.
func (c *Console) exchange(ctx context.Context, a *Auth, code, nonce string) (slackClaims, error) {
	if code == "" {
		return slackClaims{}, errors.New("no code in the callback")
	}
	provider, cfg, err := a.oauth(ctx)
	if err != nil {
		return slackClaims{}, err
	}
	ctx = oidc.ClientContext(ctx, a.httpClient())
	tok, err := cfg.Exchange(ctx, code)
	if err != nil {
		return slackClaims{}, fmt.Errorf("token exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return slackClaims{}, errors.New("no id_token in the token answer")
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: a.ClientID}).Verify(ctx, raw)
	if err != nil {
		return slackClaims{}, fmt.Errorf("id token: %w", err)
	}
	if !equalToken(idt.Nonce, nonce) {
		return slackClaims{}, errors.New("id token: nonce does not match the sign-in")
	}
	var claims slackClaims
	if err := idt.Claims(&claims); err != nil {
		return slackClaims{}, fmt.Errorf("id token claims: %w", err)
	}
	if claims.UserID == "" {
		claims.UserID = idt.Subject
	}
	if claims.UserID == "" {
		return slackClaims{}, errors.New("id token names no user")
	}
	return claims, nil
}

// handleLogout ends the session (a form with its CSRF token).
func (c *Console) handleLogout() http.Handler {
	return c.page(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewerOf(r)
		if !checkForm(r, v) {
			c.fail(w, r, http.StatusForbidden, "This form is stale; reload the page and try again.")
			return
		}
		if c.Auth != nil {
			http.SetCookie(w, c.Auth.cookie(sessionCookie, "", "/console/", -1))
		}
		c.render(w, r, "signedout", "Signed out", "", nil)
	}))
}
