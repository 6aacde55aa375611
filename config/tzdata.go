package config

// The policy's timezone is loaded with time.LoadLocation. Embedding the zone
// database keeps that working in static binaries and distroless images that
// ship no /usr/share/zoneinfo.
import _ "time/tzdata"
