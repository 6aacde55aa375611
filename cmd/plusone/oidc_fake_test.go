package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// The Slack app's credentials for Sign in with Slack in the tests.
const (
	oidcClientID     = "1234.5678"
	oidcClientSecret = "oidc-client-secret"
	ourTeam          = "T0OURS"
)

// fakeOIDC is Sign in with Slack as Slack documents it (VENDORS §11.1):
// discovery, an authorize page where a person continues as the user the
// test chose, the token endpoint (openid.connect.token, client_secret_post
// or basic, {"ok":true,…,"id_token":…}) and the keys (JWKS) its RS256 id
// tokens are signed with. The id token carries Slack's claims.
type fakeOIDC struct {
	srv *httptest.Server
	key *rsa.PrivateKey

	mu sync.Mutex
	// who signs in next: user ID, name, workspace.
	user, name, team string
	// forge, when set, changes the next id token (a test of refusals).
	forge     func(claims map[string]any) (key *rsa.PrivateKey)
	codes     map[string]oidcGrant
	authorize []url.Values // the authorize requests, as sent
	tokens    int          // token requests answered with a token
}

type oidcGrant struct {
	user, name, team, nonce, redirect string
}

func newFakeOIDC(t *testing.T) *fakeOIDC {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOIDC{key: key, codes: map[string]oidcGrant{}, team: ourTeam}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", f.discovery)
	mux.HandleFunc("GET /openid/connect/authorize", f.authorizePage)
	mux.HandleFunc("POST /api/openid.connect.token", f.token)
	mux.HandleFunc("GET /openid/connect/keys", f.keys)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// signInAs makes the next sign-in that of user (name) in team.
func (f *fakeOIDC) signInAs(user, name, team string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.user, f.name, f.team = user, name, team
}

func (f *fakeOIDC) setForge(forge func(map[string]any) *rsa.PrivateKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forge = forge
}

func (f *fakeOIDC) authorizeRequests() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.authorize...)
}

// discovery is Slack's openid-configuration with this server as issuer.
func (f *fakeOIDC) discovery(w http.ResponseWriter, r *http.Request) {
	base := f.srv.URL
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                base,
		"authorization_endpoint":                base + "/openid/connect/authorize",
		"token_endpoint":                        base + "/api/openid.connect.token",
		"userinfo_endpoint":                     base + "/api/openid.connect.userInfo",
		"jwks_uri":                              base + "/openid/connect/keys",
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"form_post"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported":                      []string{"sub", "auth_time", "iss"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
	})
}

// authorizePage is the page where a person agrees to sign in: a link that
// goes back to the app with a code, as Slack's "Continue" does.
func (f *fakeOIDC) authorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.authorize = append(f.authorize, q)
	code := fmt.Sprintf("code-%d", len(f.authorize))
	f.codes[code] = oidcGrant{user: f.user, name: f.name, team: f.team, nonce: q.Get("nonce"), redirect: q.Get("redirect_uri")}
	name := f.name
	f.mu.Unlock()
	if q.Get("client_id") != oidcClientID || q.Get("response_type") != "code" || !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		http.Error(w, "invalid_request", http.StatusBadRequest)
		return
	}
	back := q.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><title>Sign in to Slack</title><h1>Sign in to Ours (fake Slack)</h1>
<p>plusone wants to know who you are.</p><a id="allow" href="%s">Continue as %s</a>`, html.EscapeString(back), html.EscapeString(name))
}

// token exchanges a code for Slack's answer with an id token.
func (f *fakeOIDC) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	w.Header().Set("Content-Type", "application/json")
	f.mu.Lock()
	defer f.mu.Unlock()
	g, known := f.codes[r.PostForm.Get("code")]
	delete(f.codes, r.PostForm.Get("code")) // a code works once
	switch {
	case id != oidcClientID || secret != oidcClientSecret:
		fmt.Fprint(w, `{"ok":false,"error":"invalid_client_id"}`)
		return
	case !known || r.PostForm.Get("redirect_uri") != g.redirect:
		fmt.Fprint(w, `{"ok":false,"error":"invalid_code"}`)
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": f.srv.URL, "sub": g.user, "aud": oidcClientID, "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
		"auth_time": now.Unix(), "nonce": g.nonce, "at_hash": "abc",
		"https://slack.com/team_id": g.team, "https://slack.com/user_id": g.user,
		"email": strings.ToLower(g.user) + "@ours.example", "email_verified": true, "name": g.name, "locale": "en-US",
	}
	key := f.key
	if f.forge != nil {
		if k := f.forge(claims); k != nil {
			key = k
		}
	}
	raw, err := signJWT(key, claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	f.tokens++
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "access_token": "xoxp-" + g.user, "token_type": "Bearer", "id_token": raw})
}

// keys is the JWKS of the signing key.
func (f *fakeOIDC) keys(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &f.key.PublicKey, KeyID: "k1", Algorithm: string(jose.RS256), Use: "sig"}}})
}

// signJWT signs claims as an RS256 JWT with key id k1.
func signJWT(key *rsa.PrivateKey, claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), "k1"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// publicProxy stands for the public URL of a deployment (a load balancer
// in front of the service): PLUSONE_PUBLIC_URL is its address, known
// before the service starts; it forwards to the service, keeping Host.
type publicProxy struct {
	srv    *httptest.Server
	target atomic.Pointer[url.URL]
}

func newPublicProxy(t *testing.T) *publicProxy {
	p := &publicProxy{}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(p.target.Load())
		pr.Out.Host = pr.In.Host
	}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.target.Load() == nil {
			http.Error(w, "not started", http.StatusBadGateway)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *publicProxy) forwardTo(t *testing.T, base string) {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	p.target.Store(u)
}
