package tomldoc

import (
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// MaxDepth bounds the nesting of arrays and inline tables, and the dotted
// parts of a key, in a document: a config nests a few levels.
const MaxDepth = 32

// Decode decodes the TOML document data into v as toml.Decode does, after
// Check has accepted it.
func Decode(data []byte, v any) (toml.MetaData, error) {
	if err := Check(data); err != nil {
		return toml.MetaData{}, err
	}
	return toml.Decode(string(data), v)
}

// Check reports a TOML document whose arrays and inline tables nest more
// than MaxDepth deep, or one with a key (a table header's included) of
// more than MaxDepth dotted parts, naming the line. It skips strings and
// comments, and does not otherwise check the syntax: the decoder does.
// A dot between digits with no other dot beside it in the same word is a
// number's (1.5, 07:32:00.25), not a key's.
func Check(data []byte) error {
	line, depth, dots := 1, 0, 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
			dots = 0
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			var n int
			i, n = skipString(data, i)
			line += n
		case '[', '{':
			if depth++; depth > MaxDepth {
				return fmt.Errorf("line %d: arrays and inline tables nested more than %d deep", line, MaxDepth)
			}
			dots = 0
		case ']', '}':
			depth = max(depth-1, 0)
			dots = 0
		case '=', ',':
			dots = 0
		case '.':
			if !numberDot(data, i) {
				if dots++; dots >= MaxDepth {
					return fmt.Errorf("line %d: a key of more than %d dotted parts", line, MaxDepth)
				}
			}
		}
	}
	return nil
}

// numberDot reports whether the dot data[i] is a number's decimal point:
// a digit on each side, and no other dot in the word around it.
func numberDot(data []byte, i int) bool {
	digit := func(j int) bool { return j >= 0 && j < len(data) && data[j] >= '0' && data[j] <= '9' }
	if !digit(i-1) || !digit(i+1) {
		return false
	}
	word := func(c byte) bool { return !strings.ContainsRune(" \t\r\n=,[]{}#", rune(c)) }
	for j := i - 1; j >= 0 && word(data[j]); j-- {
		if data[j] == '.' {
			return false
		}
	}
	for j := i + 1; j < len(data) && word(data[j]); j++ {
		if data[j] == '.' {
			return false
		}
	}
	return true
}

// skipString returns the index of the last byte of the string that starts
// at data[i] (a quote) and the number of newlines in it: basic ("…", with
// backslash escapes) or literal ('…'), multi-line when the quote is
// tripled. A single-line string ends at the end of its line at the latest.
func skipString(data []byte, i int) (end, newlines int) {
	q := data[i]
	multi := i+2 < len(data) && data[i+1] == q && data[i+2] == q
	j := i + 1
	if multi {
		j = i + 3
	}
	for ; j < len(data); j++ {
		switch c := data[j]; {
		case c == '\\' && q == '"':
			if j+1 < len(data) && data[j+1] == '\n' {
				newlines++
			}
			j++
		case c == '\n':
			if !multi {
				return j - 1, newlines
			}
			newlines++
		case c == q && !multi:
			return j, newlines
		case c == q && j+2 < len(data) && data[j+1] == q && data[j+2] == q:
			j += 2
			// A closing delimiter may follow one or two quotes of the content.
			for k := 0; k < 2 && j+1 < len(data) && data[j+1] == q; k++ {
				j++
			}
			return j, newlines
		}
	}
	return len(data) - 1, newlines
}
