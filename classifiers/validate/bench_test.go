package validate

import "testing"

func BenchmarkPhoneE164(b *testing.B) {
	in := []string{"+1 415-555-2671", "+44 20 7946 0958", "(212) 345-6789", "+49 30 901820", "+1 454-382-2810"}
	for i := 0; i < b.N; i++ {
		PhoneE164(in[i%len(in)], nil)
	}
}

func BenchmarkEmail(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Email("jane.doe+news@mail.example.co.uk")
	}
}

func BenchmarkCreditCard(b *testing.B) {
	for i := 0; i < b.N; i++ {
		CreditCard("4111 1111 1111 1111")
	}
}
