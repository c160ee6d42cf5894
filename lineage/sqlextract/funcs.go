package sqlextract

import (
	"strings"

	"github.com/piimap/piimap/lineage"
)

// maskingFuncs are functions whose output hides the input: digests,
// encryption, truncation to a part, pattern redaction, and the masking
// functions of common extensions. A column passed through any of them
// (at any depth) is a masked copy of its source, after OpenLineage's
// column-lineage "masking" flag.
var maskingFuncs = map[string]bool{
	"md5": true, "sha1": true, "sha2": true, "sha224": true, "sha256": true, "sha384": true, "sha512": true,
	"digest": true, "hmac": true, "crypt": true, "hash": true, "hashtext": true, "hashtextextended": true,
	"xxhash64": true, "xxhash32": true, "murmurhash3_32": true, "farm_fingerprint": true, "crc32": true,
	"pgp_sym_encrypt": true, "pgp_pub_encrypt": true, "encrypt": true, "aes_encrypt": true,
	"left": true, "right": true, "substr": true, "substring": true, "overlay": true,
	"regexp_replace": true, "translate": true,
}

// classify returns the transform a function applies to its arguments.
// Functions in the "anon" schema (PostgreSQL Anonymizer) and names
// starting with mask, redact, anonymi[sz]e, pseudonymi[sz]e, obfuscate or
// hash also count as masking.
func classify(name []string) string {
	if len(name) == 0 {
		return lineage.TransformTransformation
	}
	fn := strings.ToLower(name[len(name)-1])
	if len(name) > 1 && strings.EqualFold(name[len(name)-2], "anon") {
		return lineage.TransformMasked
	}
	if maskingFuncs[fn] {
		return lineage.TransformMasked
	}
	for _, p := range []string{"mask", "redact", "anonymi", "pseudonymi", "obfuscate", "hash"} {
		if strings.HasPrefix(fn, p) {
			return lineage.TransformMasked
		}
	}
	return lineage.TransformTransformation
}
