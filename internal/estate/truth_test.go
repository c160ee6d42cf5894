package estate

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
)

func TestCheckAndBusiest(t *testing.T) {
	truth := GroundTruth{
		PIIFields: []TruthField{
			{Store: "wh", Asset: "main.customers", Field: "email", Type: "email"},
			{Store: "wh", Asset: "main.customers", Field: "ssn", Type: "national_id.us_ssn"},
			{Store: "files", Asset: "logs/app.log", Type: "phone"},
		},
		NegativeFields: []TruthField{
			{Store: "wh", Asset: "main.orders", Field: "gift_card_no"},
			{Store: "wh", Asset: "main.orders", Field: "sku"},
		},
		Subjects: []SubjectTruth{
			{Email: "a@example.com", Records: map[string]int{"wh/main.customers": 1}},
			{Email: "b@example.com", Records: map[string]int{"wh/main.customers": 1, "files/logs/app.log": 2}},
			{Email: "c@example.com", Records: map[string]int{"wh/main.customers": 1, "wh/main.orders": 3}},
		},
	}
	m := &lineage.Map{Locations: []lineage.MapLocation{
		{Store: "wh", Asset: "main.customers", Field: "email", PII: []lineage.MapPII{{Type: "email"}}},
		{Store: "wh", Asset: "main.customers", Field: "ssn", PII: []lineage.MapPII{{Type: "phone"}}}, // wrong type
		{Store: "files", Asset: "logs/app.log", PII: []lineage.MapPII{{Type: "email"}, {Type: "phone"}}},
		{Store: "wh", Asset: "main.orders", Field: "gift_card_no", PII: []lineage.MapPII{{Type: "credit_card"}}},
	}}
	require.Equal(t, Score{PIIFields: 3, PIIFound: 2, NegativeFields: 2, NegativeHit: 1}, truth.Check(m))
	require.Equal(t, "b@example.com", truth.Busiest().Email, "most assets, first on a tie")
}
