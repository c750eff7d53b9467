package webhooks

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
)

// Render turns a webhook body into text a person can read: a Slack message
// (text, attachments and Block Kit blocks) as lines, other JSON indented,
// form-encoded Slack payloads decoded, anything else unchanged.
func Render(contentType string, body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(trimmed)); err == nil && v.Get("payload") != "" {
			trimmed = []byte(v.Get("payload"))
		}
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return string(body)
	}
	var msg slackMessage
	if err := json.Unmarshal(trimmed, &msg); err == nil && (msg.Text != "" || len(msg.Blocks) > 0 || len(msg.Attachments) > 0) {
		return msg.render()
	}
	var out bytes.Buffer
	if json.Indent(&out, trimmed, "", "  ") == nil {
		return out.String()
	}
	return string(body)
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackElement struct {
	Type     string          `json:"type"`
	Text     json.RawMessage `json:"text"` // a text object, or a plain string in context elements
	URL      string          `json:"url"`
	AltText  string          `json:"alt_text"`
	Elements []slackElement  `json:"elements"`
}

type slackBlock struct {
	Type     string         `json:"type"`
	Text     *slackText     `json:"text"`
	Fields   []slackText    `json:"fields"`
	Elements []slackElement `json:"elements"`
	AltText  string         `json:"alt_text"`
}

type slackAttachment struct {
	Pretext string                          `json:"pretext"`
	Title   string                          `json:"title"`
	Text    string                          `json:"text"`
	Color   string                          `json:"color"`
	Fields  []struct{ Title, Value string } `json:"fields"`
	Blocks  []slackBlock                    `json:"blocks"`
}

type slackMessage struct {
	Text        string            `json:"text"`
	Blocks      []slackBlock      `json:"blocks"`
	Attachments []slackAttachment `json:"attachments"`
}

func (m *slackMessage) render() string {
	var lines []string
	if len(m.Blocks) == 0 && m.Text != "" {
		lines = append(lines, m.Text)
	}
	lines = append(lines, renderBlocks(m.Blocks)...)
	for _, a := range m.Attachments {
		for _, s := range []string{a.Pretext, a.Title, a.Text} {
			if s != "" {
				lines = append(lines, s)
			}
		}
		for _, f := range a.Fields {
			lines = append(lines, f.Title+": "+f.Value)
		}
		lines = append(lines, renderBlocks(a.Blocks)...)
	}
	return strings.Join(lines, "\n")
}

func renderBlocks(blocks []slackBlock) []string {
	var lines []string
	for _, b := range blocks {
		switch b.Type {
		case "header":
			if b.Text != nil {
				lines = append(lines, "# "+b.Text.Text)
			}
		case "divider":
			lines = append(lines, "---")
		case "image":
			lines = append(lines, "[image: "+b.AltText+"]")
		default: // section, context, actions, rich_text...
			if b.Text != nil && b.Text.Text != "" {
				lines = append(lines, b.Text.Text)
			}
			for _, f := range b.Fields {
				lines = append(lines, "  "+f.Text)
			}
			if len(b.Elements) > 0 {
				if s := renderElements(b.Type, b.Elements); s != "" {
					lines = append(lines, s)
				}
			}
		}
	}
	return lines
}

func renderElements(blockType string, els []slackElement) string {
	var parts []string
	for _, e := range els {
		text := elementText(e)
		switch {
		case e.Type == "button":
			parts = append(parts, "["+text+"]")
		case e.Type == "image":
			parts = append(parts, "[image: "+e.AltText+"]")
		case len(e.Elements) > 0:
			parts = append(parts, renderElements(e.Type, e.Elements))
		case text != "":
			parts = append(parts, text)
		}
	}
	sep := " "
	if blockType == "context" {
		sep = " | "
	}
	return strings.Join(parts, sep)
}

func elementText(e slackElement) string {
	if len(e.Text) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(e.Text, &s) == nil {
		return s
	}
	var t slackText
	if json.Unmarshal(e.Text, &t) == nil {
		return t.Text
	}
	return ""
}
