package tasks

import (
	"cmp"
	"strconv"
	"strings"
)

// CompareConditions orders condition labels (Trial.Condition) for tables:
// runs of text compare as text and numbers compare as numbers, signs and
// decimals included, so "coh=-0.2" < "coh=+0.05" < "coh=+0.1" and
// "trial=9" < "trial=10". Each label is split into tokens, numbers and
// single bytes; labels compare token by token, a number before any byte,
// numbers by value and then, if equal ("+0.1", "0.10"), by their text,
// bytes by value; a label that is a prefix of another comes first. The
// order is total. It returns -1, 0 or +1 as cmp.Compare does.
func CompareConditions(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		na, la := leadingNumber(a[i:], i == 0 || !isDigit(a[i-1]))
		nb, lb := leadingNumber(b[j:], j == 0 || !isDigit(b[j-1]))
		switch {
		case la > 0 && lb > 0:
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
			if c := strings.Compare(a[i:i+la], b[j:j+lb]); c != 0 {
				return c
			}
		case la > 0:
			return -1
		case lb > 0:
			return 1
		default:
			if c := cmp.Compare(a[i], b[j]); c != 0 {
				return c
			}
			la, lb = 1, 1
		}
		i, j = i+la, j+lb
	}
	return cmp.Compare(len(a)-i, len(b)-j)
}

// leadingNumber parses the decimal number s starts with ([+-]digits[.digits],
// the sign only when signOK) and returns it and its length, or length 0
// when s does not start with one.
func leadingNumber(s string, signOK bool) (float64, int) {
	n := 0
	if signOK && n < len(s) && (s[n] == '+' || s[n] == '-') {
		n++
	}
	start := n
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n == start {
		return 0, 0
	}
	if n+1 < len(s) && s[n] == '.' && isDigit(s[n+1]) {
		n++
		for n < len(s) && isDigit(s[n]) {
			n++
		}
	}
	v, err := strconv.ParseFloat(s[:n], 64)
	if err != nil {
		return 0, 0
	}
	return v, n
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
