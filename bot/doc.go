// Package bot is everything plusone shows in Slack: the context card of a
// ticket (Block Kit for Slack, plain text for the terminal in local mode),
// a check of Slack's documented Block Kit limits, and a thin Slack Web API
// client whose errors a caller's queue can classify.
//
// It depends on the domain package and slack-go only; it imports no store
// and no integration.
package bot
