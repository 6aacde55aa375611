// Package view is everything plusone shows in Slack, as pure functions of
// domain values: the context card of a ticket (Block Kit, and plain text
// for the terminal in local mode), the messages answering commands and
// gestures, the modals, App Home and link unfurls; the ids (action, block,
// callback) and private metadata the Slack app's handlers read back; and
// a check of Slack's documented Block Kit limits.
//
// It does no I/O and imports only the domain and slack-go. Package bot
// sends what it renders and handles the clicks on it. A new view goes in
// its own file here, with a golden file under testdata (run the tests
// with -update to write it) and its samples in viewtest.
package view
