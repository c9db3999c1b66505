package nurture

import (
	"time"
	_ "time/tzdata" // zones for wait steps, whatever the host has installed
)

// zoneByCountry is the time zone a lead's country suggests, for "wait
// until Tuesday at 10:00, the lead's time". A country with several zones
// gets its most populous one; a lead without a known country is on UTC.
var zoneByCountry = map[string]string{
	"RO": "Europe/Bucharest", "IT": "Europe/Rome", "NO": "Europe/Oslo", "GB": "Europe/London", "IE": "Europe/Dublin",
	"DE": "Europe/Berlin", "FR": "Europe/Paris", "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "NL": "Europe/Amsterdam",
	"BE": "Europe/Brussels", "LU": "Europe/Luxembourg", "CH": "Europe/Zurich", "AT": "Europe/Vienna", "DK": "Europe/Copenhagen",
	"SE": "Europe/Stockholm", "FI": "Europe/Helsinki", "IS": "Atlantic/Reykjavik", "PL": "Europe/Warsaw", "CZ": "Europe/Prague",
	"SK": "Europe/Bratislava", "HU": "Europe/Budapest", "SI": "Europe/Ljubljana", "HR": "Europe/Zagreb", "RS": "Europe/Belgrade",
	"BG": "Europe/Sofia", "GR": "Europe/Athens", "MD": "Europe/Chisinau", "UA": "Europe/Kyiv", "EE": "Europe/Tallinn",
	"LV": "Europe/Riga", "LT": "Europe/Vilnius", "TR": "Europe/Istanbul", "US": "America/New_York", "CA": "America/Toronto",
	"MX": "America/Mexico_City", "BR": "America/Sao_Paulo", "AR": "America/Argentina/Buenos_Aires", "IN": "Asia/Kolkata",
	"CN": "Asia/Shanghai", "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "SG": "Asia/Singapore", "AU": "Australia/Sydney",
	"NZ": "Pacific/Auckland", "ZA": "Africa/Johannesburg", "AE": "Asia/Dubai", "IL": "Asia/Jerusalem",
}

// zoneOf is the time zone of a lead in country (ISO code).
func zoneOf(country string) *time.Location {
	if name, ok := zoneByCountry[country]; ok {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}
