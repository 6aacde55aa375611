package generic

import "encoding/json"

// The request body, as CONTRACT.md describes it. Unknown fields are ignored:
// the contract allows fields to be added.
type payload struct {
	ID         id            `json:"id"`
	Type       string        `json:"type"`
	OccurredAt string        `json:"occurred_at"`
	Customer   *customerJSON `json:"customer"`
	Ticket     *ticketJSON   `json:"ticket"`
	Message    *messageJSON  `json:"message"`
	Order      *orderJSON    `json:"order"`
	Cart       *cartJSON     `json:"cart"`
	Feedback   *feedbackJSON `json:"feedback"`
}

type customerJSON struct {
	Email       string            `json:"email"`
	Name        string            `json:"name"`
	Phone       string            `json:"phone"`
	ExternalID  id                `json:"external_id"`
	Preferences map[string]string `json:"preferences"`
}

type ticketJSON struct {
	ID       id       `json:"id"`
	Subject  string   `json:"subject"`
	URL      string   `json:"url"`
	Status   string   `json:"status"`
	Priority string   `json:"priority"`
	Tags     []string `json:"tags"`
	Brand    string   `json:"brand"`
	Channel  string   `json:"channel"`
}

// messageJSON is said on the ticket, if any. AuthorType is "customer" (the
// default) or "agent".
type messageJSON struct {
	ID         id     `json:"id"`
	Text       string `json:"text"`
	Author     string `json:"author"`
	AuthorType string `json:"author_type"`
}

// orderJSON may name the cart it completes in CartID.
type orderJSON struct {
	ID        id              `json:"id"`
	Name      string          `json:"name"`
	URL       string          `json:"url"`
	Total     json.RawMessage `json:"total"`
	Currency  string          `json:"currency"`
	Status    string          `json:"status"`
	Items     []itemJSON      `json:"items"`
	CartID    id              `json:"cart_id"`
	CreatedAt string          `json:"created_at"`
}

type cartJSON struct {
	ID       id              `json:"id"`
	URL      string          `json:"url"`
	Total    json.RawMessage `json:"total"`
	Currency string          `json:"currency"`
	Items    []itemJSON      `json:"items"`
}

type itemJSON struct {
	Title    string          `json:"title"`
	SKU      string          `json:"sku"`
	Quantity int             `json:"quantity"`
	Price    json.RawMessage `json:"price"`
}

type feedbackJSON struct {
	Score   *int   `json:"score"`
	Scale   string `json:"scale"`
	Comment string `json:"comment"`
}
