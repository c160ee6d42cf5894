package personname

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// mask hides a synthetic name in failure output: first letter and length.
func mask(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + strings.Repeat("*", max(0, utf8.RuneCountInString(s)-1))
}

func TestFindNames(t *testing.T) {
	m, err := DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		text string
		want []string // the names, in order
	}{
		{"en greeting", "Hi Maria, thanks for the update on order 1234.", []string{"Maria"}},
		{"en customer", "Customer Jean-Luc Picard called about a double charge.", []string{"Jean-Luc Picard"}},
		{"en honorific excluded", "Dear Mrs O'Neill, your refund is on its way.", []string{"O'Neill"}},
		{"en assigned", "Ticket assigned to Maria García López by Kwame Mensah.", []string{"Maria García López", "Kwame Mensah"}},
		{"en particle", "Spoke with Anna van der Berg about the renewal.", []string{"Anna van der Berg"}},
		{"en signature", "Thanks for your help.\nBest regards,\nPriya Raghunathan", []string{"Priya Raghunathan"}},
		{"en wrote", "On 2026-03-02, John Smith <john.smith@example.com> wrote:", []string{"John Smith"}},
		{"en possessive", "Per Maria's request, escalating to tier 2.", []string{"Maria"}},
		{"de", "Sehr geehrte Frau Schmidt, vielen Dank für Ihre Nachricht.", []string{"Schmidt"}},
		{"de customer", "Der Kunde Jürgen Weißmüller hat heute angerufen.", []string{"Jürgen Weißmüller"}},
		{"fr", "Le client Jean Dupont a appelé au sujet de sa facture.", []string{"Jean Dupont"}},
		{"fr madame", "Bonjour Madame Lefèvre, nous avons bien reçu votre demande.", []string{"Lefèvre"}},
		{"es", "El cliente Alejandro Fernández llamó para cancelar su pedido.", []string{"Alejandro Fernández"}},
		{"es sra", "Sra. Martínez solicita factura del pedido 12.", []string{"Martínez"}},
		{"log class", "2026-11-01T10:00:00Z ERROR OrderService: NullPointerException in processPayment", nil},
		{"stack trace", "    at com.example.billing.InvoiceController.render(InvoiceController.java:42)", nil},
		{"street", "Our office moved to 221B Baker Street, London.", nil},
		{"product", "The Blue Widget Pro ships in March.", nil},
		{"jenkins", "Jenkins build 42 failed on branch main.", nil},
		{"email only", "INFO [auth] login ok user=james.smith1@example.com ip=10.0.0.1", nil},
		{"heading", "Release Notes for Visual Studio Code 1.2.3", nil},
		{"weekday", "Meeting moved to Monday, March 3.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range m.Find([]byte(tt.text)) {
				if s.Confidence >= MinConfidence {
					got = append(got, tt.text[s.Start:s.End])
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				var g, w []string
				for _, x := range got {
					g = append(g, mask(x))
				}
				for _, x := range tt.want {
					w = append(w, mask(x))
				}
				t.Errorf("got %v, want %v", g, w)
			}
		})
	}
}

func TestTokenizeOffsets(t *testing.T) {
	text := "Dear Mrs O'Neill,\nJean-Luc’s café — José's 42 A380"
	want := []string{"Dear", "Mrs", "O'Neill", ",", "\n", "Jean-Luc", "’", "s", "café", "—", "José", "'", "s", "42", "A380"}
	var got []string
	for _, tk := range Tokenize(nil, []byte(text)) {
		got = append(got, text[tk.Start:tk.End])
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tokens %q, want %q", got, want)
	}
}

func TestLexicon(t *testing.T) {
	lx := Default()
	tests := []struct {
		word string
		flag uint16
		want bool
	}{
		{"Maria", LexGiven, true},
		{"GARCÍA", LexSurname, true},
		{"Garcia", LexSurname, true},
		{"Mrs", LexHonorific, true},
		{"Herr", LexHonorific, true},
		{"Mme", LexHonorific, true},
		{"street", LexPlace, true},
		{"December", LexTime, true},
		{"table", LexWord, true},
		{"Qwzx", LexGiven | LexSurname | LexWord, false},
	}
	for _, tt := range tests {
		if got := lx.Flags([]byte(tt.word))&tt.flag != 0; got != tt.want {
			t.Errorf("Flags(%s)&%b = %v, want %v", tt.word, tt.flag, got, tt.want)
		}
	}
}
