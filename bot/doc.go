// Package bot is plusone's Slack app: the App that answers the /plusone
// command, clicks, shortcuts, modal submissions, App Home and link
// unfurls, over HTTP (CommandsHandler, InteractionsHandler) or Socket Mode
// (RunSocket); the Slack Web API client that posts and updates cards and
// messages, with errors a caller's queue can classify; the local Printer
// that stands in for Slack; and the app manifest.
//
// What it shows is rendered by package view. The App owns the work it
// does after answering Slack; Close waits for it. It depends on the
// domain, view and slack-go only; it imports no store and no integration.
package bot
