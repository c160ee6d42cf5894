package planning

import (
	"strings"
	"testing"
)

func TestDistinctiveTokens(t *testing.T) {
	got := distinctiveTokens([]string{"42", "usr_7f3a9c21", "abcdef", "1234567890", "123456789", "a1", "3f2b8c1e-9d4a-4b7e-8f6a-2c5d9e1b7a30"})
	want := []string{"usr_7f3a9c21", "1234567890", "3f2b8c1e-9d4a-4b7e-8f6a-2c5d9e1b7a30"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("distinctiveTokens = %v, want %v", got, want)
	}
}
