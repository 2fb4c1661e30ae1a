package pagebot

import "testing"

func TestFAQVersionValidate(t *testing.T) {
	ok := FAQVersion{EntryID: "rsa-demande", Actor: "eddie", Action: FAQUpdate, Entry: []byte(`{"id":"rsa-demande"}`)}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate(%+v) = %v, want nil", ok, err)
	}
	tests := []struct {
		name   string
		change func(*FAQVersion)
	}{
		{"NoEntryID", func(v *FAQVersion) { v.EntryID = "" }},
		{"NoActor", func(v *FAQVersion) { v.Actor = "" }},
		{"BadAction", func(v *FAQVersion) { v.Action = "rename" }},
		{"NotJSON", func(v *FAQVersion) { v.Entry = []byte(`{`) }},
		{"Null", func(v *FAQVersion) { v.Entry = []byte(`null`) }},
		{"Array", func(v *FAQVersion) { v.Entry = []byte(`[]`) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := ok
			tc.change(&v)
			if err := v.Validate(); ErrorCode(err) != EINVALID {
				t.Errorf("Validate(%+v) = %v, want EINVALID", v, err)
			}
		})
	}
}
