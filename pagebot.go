// Package pagebot holds the nouns shared by every part of pagebot, the bot
// that answers the public on the Facebook Page of a French social-security
// caisse (CAF, CPAM, CARSAT/CNAV, MSA, URSSAF).
//
// The root package has no I/O and imports only the standard library, so that
// every other package (knowledge base, decision engine, webhook, stores,
// console) can share these types without importing one another.
package pagebot

import "fmt"

// Channel is where a message was written: a public comment under a Page post,
// or a private Messenger message. Replies are shaped differently for each:
// nothing personal is ever discussed in a public comment.
type Channel string

// The channels pagebot receives.
const (
	ChannelComment Channel = "comment"
	ChannelMessage Channel = "message"
)

// ParseChannel reads a channel name; the empty string means a comment, the
// most common and most conservative case (public).
func ParseChannel(s string) (Channel, error) {
	switch Channel(s) {
	case "", ChannelComment:
		return ChannelComment, nil
	case ChannelMessage:
		return ChannelMessage, nil
	}
	return "", Errorf(EINVALID, "Canal inconnu %q : attendu \"comment\" ou \"message\".", s)
}

// Action is what pagebot decides to do with a message.
type Action string

// The four decisions. A wrong answer from a public administration is worse
// than no answer, so anything uncertain becomes ActionEscalate.
const (
	// ActionAnswer posts a level-1 answer taken from one FAQ entry.
	ActionAnswer Action = "answer"
	// ActionRedirect names the organisation that handles the question.
	ActionRedirect Action = "redirect"
	// ActionEscalate hands the message to a human agent and posts a holding reply.
	ActionEscalate Action = "escalate"
	// ActionIgnore leaves a message that needs no answer (thanks, emoji, tags).
	ActionIgnore Action = "ignore"
)

// Valid reports whether a is one of the four actions.
func (a Action) Valid() bool {
	switch a {
	case ActionAnswer, ActionRedirect, ActionEscalate, ActionIgnore:
		return true
	}
	return false
}

// ParseAction reads an action name.
func ParseAction(s string) (Action, error) {
	if a := Action(s); a.Valid() {
		return a, nil
	}
	return "", fmt.Errorf("unknown action %q (want answer, redirect, escalate or ignore)", s)
}
