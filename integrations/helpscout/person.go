package helpscout

import (
	"strings"

	"github.com/plusone-hq/plusone"
)

// person is a customer or a user (an agent) as Help Scout writes them: "first"
// and "last" in v2 payloads, "firstName" and "lastName" in v1 and in customer
// objects, emails and phones as lists.
type person struct {
	ID        text      `json:"id"`
	Type      string    `json:"type"`
	First     string    `json:"first"`
	Last      string    `json:"last"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	Email     string    `json:"email"`
	Emails    valueList `json:"emails"`
	Phone     string    `json:"phone"`
	Phones    valueList `json:"phones"`
	// Organization is a customer's company.
	Organization string `json:"organization"`
	Embedded     struct {
		Emails valueList `json:"emails"`
		Phones valueList `json:"phones"`
	} `json:"_embedded"`
}

// name joins the first and last names.
func (p *person) name() string {
	return strings.TrimSpace(firstOf(p.First, p.FirstName) + " " + firstOf(p.Last, p.LastName))
}

// email returns the person's first email address that is one.
func (p *person) email() string {
	for _, list := range [][]string{{p.Email}, p.Emails, p.Embedded.Emails} {
		for _, e := range list {
			if plusone.NormalizeEmail(e) != "" {
				return strings.TrimSpace(e)
			}
		}
	}
	return ""
}

// phone returns the person's first phone number.
func (p *person) phone() string {
	return firstOf(append(append([]string{p.Phone}, p.Phones...), p.Embedded.Phones...)...)
}

// isCustomer reports whether the person is a customer rather than a user.
func (p *person) isCustomer() bool { return p != nil && lower(p.Type) == "customer" }

// ref is the person as the customer of an event.
func (p *person) ref() plusone.CustomerRef {
	return plusone.CustomerRef{Email: p.email(), Name: p.name(), Phone: p.phone(), ExternalID: string(p.ID)}
}

// known reports whether the person can be told apart: by id or email.
func (p *person) known() bool { return p != nil && (p.ID != "" || p.email() != "") }
