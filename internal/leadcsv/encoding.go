package leadcsv

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	utf16 "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The encodings a file can be read in, by the names the import page and
// the CLI use.
const (
	UTF8        = "utf-8"
	UTF16LE     = "utf-16le"
	UTF16BE     = "utf-16be"
	Windows1250 = "windows-1250" // Central European: Romanian, Polish, Czech, Hungarian...
	ISO88592    = "iso-8859-2"   // Central European, the ISO variant
	Windows1252 = "windows-1252" // Western European
)

// Encodings lists the encodings a file can be read in, for a choice.
var Encodings = []string{UTF8, UTF16LE, UTF16BE, Windows1250, ISO88592, Windows1252}

// ValidEncoding reports whether name is one of Encodings ("" is not).
func ValidEncoding(name string) bool { return slices.Contains(Encodings, name) }

var boms = map[string][]byte{UTF8: {0xef, 0xbb, 0xbf}, UTF16LE: {0xff, 0xfe}, UTF16BE: {0xfe, 0xff}}

var singleByte = map[string]*charmap.Charmap{
	Windows1252: charmap.Windows1252, Windows1250: charmap.Windows1250, ISO88592: charmap.ISO8859_2,
}

// decoder turns text in encoding name into UTF-8.
func decoder(name string) (transform.Transformer, error) {
	switch name {
	case UTF8:
		return lenientUTF8{}, nil
	case UTF16LE:
		return utf16.UTF16(utf16.LittleEndian, utf16.IgnoreBOM).NewDecoder(), nil
	case UTF16BE:
		return utf16.UTF16(utf16.BigEndian, utf16.IgnoreBOM).NewDecoder(), nil
	}
	if cm := singleByte[name]; cm != nil {
		return cm.NewDecoder(), nil
	}
	return nil, fmt.Errorf("unknown encoding %q: use one of %s", name, strings.Join(Encodings, ", "))
}

// sniffEncoding guesses the encoding of a file from its first bytes: a
// byte-order mark says it; UTF-16 without one shows by its zero bytes;
// text that is valid UTF-8 is UTF-8; anything else is a single-byte
// encoding, the one whose reading of the sample has the most plausible
// letters (Windows-1252 when they read alike).
func sniffEncoding(sample []byte) string {
	for _, name := range []string{UTF8, UTF16LE, UTF16BE} {
		if bytes.HasPrefix(sample, boms[name]) {
			return name
		}
	}
	if name := utf16ByZeros(sample); name != "" {
		return name
	}
	if utf8.Valid(trimPartialRune(sample)) {
		return UTF8
	}
	best, bestScore := Windows1252, plausibility(sample, charmap.Windows1252)
	for _, name := range []string{Windows1250, ISO88592} {
		if s := plausibility(sample, singleByte[name]); s > bestScore {
			best, bestScore = name, s
		}
	}
	return best
}

// utf16ByZeros recognises UTF-16 without a byte-order mark: text that is
// mostly ASCII has a zero in every other byte.
func utf16ByZeros(sample []byte) string {
	sample = sample[:min(len(sample), 4096)&^1]
	var even, odd int
	for i := 0; i < len(sample); i += 2 {
		if sample[i] == 0 {
			even++
		}
		if sample[i+1] == 0 {
			odd++
		}
	}
	pairs := len(sample) / 2
	switch {
	case pairs < 2:
		return ""
	case odd*10 > pairs*6 && even*10 < pairs:
		return UTF16LE
	case even*10 > pairs*6 && odd*10 < pairs:
		return UTF16BE
	}
	return ""
}

// letterWeights rates the letters of the single-byte encodings by how
// common they are in the names and places of the languages each serves;
// bytes both encodings read alike weigh the same in both. A letter not
// listed weighs 0.
var letterWeights = func() map[rune]int {
	w := map[rune]int{}
	for _, set := range []struct {
		letters string
		weight  int
	}{
		// Western: French, German, Spanish, and letters shared with
		// Central European languages.
		{"àâäçéèêëîïôöùûüÿñóáíúÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÑÓÁÍÚß", 2},
		// Western, rarer in lead lists: Portuguese, Nordic, Italian.
		{"ãõåæøœìòÃÕÅÆØŒÌÒ", 1},
		// Central European: Romanian, Polish, Czech, Slovak, Hungarian.
		{"ăşţĂŞŢąćęłńśźżĄĆĘŁŃŚŹŻčďěňřšťůýžČĎĚŇŘŠŤŮÝŽőűŐŰ", 2},
		// Not letters, or letters a misread byte turns into.
		{"ªº", -2},
	} {
		for _, r := range set.letters {
			w[r] = set.weight
		}
	}
	return w
}()

// harmless are the symbols real lead lists hold, which say nothing about
// the encoding.
const harmless = "\u00a0€£§©®°±·×–—‘’‚“”„…•‰™«»"

// plausibility scores how likely sample is text in cm: plausible letters
// count for, symbols that turn up only from a misread byte count against.
func plausibility(sample []byte, cm *charmap.Charmap) int {
	score := 0
	for i, b := range sample {
		if b < utf8.RuneSelf {
			continue
		}
		r := cm.DecodeByte(b)
		w, listed := letterWeights[r]
		switch {
		case listed:
		case r == utf8.RuneError || unicode.IsControl(r):
			w = -3
		case strings.ContainsRune(harmless, r), unicode.IsLetter(r):
			w = 0
		default:
			w = -2
		}
		// Portuguese "ão" and "ãe", where Romanian has no "ăo".
		if r == 'ã' && i+1 < len(sample) && (sample[i+1] == 'o' || sample[i+1] == 'e') {
			w += 2
		}
		score += w
	}
	return score
}

// lenientUTF8 passes UTF-8 through and reads a byte that is not part of
// valid UTF-8 as Windows-1252, so that a file that is UTF-8 where its
// encoding was guessed, but not further on (rows pasted in from another
// file), has those rows read rather than refused.
type lenientUTF8 struct{ transform.NopResetter }

func (lenientUTF8) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		b := src[nSrc]
		if b < utf8.RuneSelf {
			if nDst == len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = b
			nDst, nSrc = nDst+1, nSrc+1
			continue
		}
		r, size := utf8.DecodeRune(src[nSrc:])
		if r == utf8.RuneError && size == 1 {
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			r = charmap.Windows1252.DecodeByte(b)
			if nDst+utf8.RuneLen(r) > len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			nDst += utf8.EncodeRune(dst[nDst:], r)
			nSrc++
			continue
		}
		if nDst+size > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], src[nSrc:nSrc+size])
		nSrc += size
	}
	return nDst, nSrc, nil
}
