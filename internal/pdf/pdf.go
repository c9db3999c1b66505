// Package pdf makes PDF documents with nothing but the binary:
// go-pdf/fpdf with DejaVu Sans (regular and bold) embedded, so every
// letter of the languages leadflow serves (ă ș ț, ø å, è ì...) prints as
// itself. Only the glyphs a document uses go into it.
package pdf

import (
	_ "embed"
	"time"

	"github.com/go-pdf/fpdf"
)

// The embedded faces, under the Bitstream Vera licence (fonts/LICENSE).
var (
	//go:embed fonts/DejaVuSans.ttf
	regular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	bold []byte
)

// Family is the font family every document is set in; use "" or "B" as
// the style.
const Family = "DejaVu"

// New returns an A4 portrait document in millimetres with the embedded
// fonts loaded and the regular face at 10 pt selected, made at the given
// moment (stored in the file).
func New(title string, at time.Time) *fpdf.Fpdf {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(Family, "", regular)
	f.AddUTF8FontFromBytes(Family, "B", bold)
	f.SetFont(Family, "", 10)
	f.SetTitle(title, true)
	f.SetCreator("leadflow", true)
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.SetMargins(18, 18, 18)
	f.SetAutoPageBreak(true, 18)
	f.AddPage()
	return f
}
