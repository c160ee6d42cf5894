package s3

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	ss3 "github.com/piimap/piimap/scanner/s3"
)

var _ driver.Purger = (*Handler)(nil)

// Purge removes the erased bytes' older copies. Erase rewrote each object
// in place (a new PUT of the same key):
//
//   - unversioned bucket: the PUT replaced the only copy: gone;
//   - versioned (or suspended) bucket: every noncurrent version of the key
//     may still hold the subject, so Purge deletes each one by VersionId
//     (delete markers hold no data and stay) and lists again: gone when
//     only the current version is left; a version the server refuses to
//     delete (object lock retention or legal hold, a bucket policy) makes
//     an exception that names the refusal and any retention date.
//
// Replication targets and backups of the bucket are not covered.
func (h *Handler) Purge(ctx context.Context, ts []driver.Target) ([]driver.PurgeReport, error) {
	if h.readOnly {
		return nil, fmt.Errorf("s3: %s: purge: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	versioned, why := h.versioned(ctx)
	var out []driver.PurgeReport
	seen := map[string]bool{}
	for _, t := range ts {
		if seen[t.Asset] {
			continue
		}
		seen[t.Asset] = true
		r := driver.PurgeReport{Asset: t.Asset}
		switch {
		case why != "":
			r.State, r.Detail = driver.PurgeException, "object rewritten, but "+why
		case !versioned:
			r.State, r.Detail = driver.PurgeGone, "object rewritten in place; the bucket is not versioned, so no earlier copy is kept"
		default:
			r = h.purgeVersions(ctx, t.Asset)
		}
		out = append(out, r)
	}
	return out, nil
}

// versioned reads the bucket's versioning status; why says what blocks
// an answer.
func (h *Handler) versioned(ctx context.Context) (bool, string) {
	out, err := h.conn.Client.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: aws.String(h.conn.URL.Bucket)})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "NotImplemented" {
			// A server without versioning keeps no versions.
			return false, ""
		}
		return false, "the bucket's versioning status cannot be read (" + apiCode(err) + "), so earlier versions may hold the erased bytes"
	}
	return out.Status == types.BucketVersioningStatusEnabled || out.Status == types.BucketVersioningStatusSuspended, ""
}

// purgeVersions deletes the noncurrent versions of one key.
func (h *Handler) purgeVersions(ctx context.Context, asset string) driver.PurgeReport {
	r := driver.PurgeReport{Asset: asset}
	key := h.conn.URL.Key(asset)
	vs, err := h.noncurrent(ctx, key)
	if err != nil {
		r.State, r.Detail = driver.PurgeException, "object rewritten, but its versions cannot be listed ("+apiCode(err)+"): noncurrent versions may hold the erased bytes"
		return r
	}
	var refused []string
	deleted := 0
	for _, v := range vs {
		_, err := h.conn.Client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(h.conn.URL.Bucket), Key: aws.String(key), VersionId: aws.String(v)})
		if err != nil {
			why, until := h.retention(ctx, key, v)
			refused = append(refused, apiCode(err)+why)
			if until != nil && (r.At == nil || until.After(*r.At)) {
				r.At = until // the latest retain-until date: when the locked bytes may go
			}
			continue
		}
		deleted++
	}
	left, err := h.noncurrent(ctx, key)
	if err != nil {
		r.State, r.Detail = driver.PurgeException, fmt.Sprintf("deleted %d noncurrent version(s), but the versions cannot be listed again (%s)", deleted, apiCode(err))
		return r
	}
	if len(left) > 0 {
		sort.Strings(refused)
		reason := "the server kept them"
		if len(refused) > 0 {
			reason = "deletion refused: " + strings.Join(dedupe(refused), "; ")
		}
		r.State, r.Detail = driver.PurgeException, fmt.Sprintf("object rewritten; %d noncurrent version(s) that may hold the erased bytes remain (%s)", len(left), reason)
		return r
	}
	r.State, r.Detail = driver.PurgeGone, fmt.Sprintf("object rewritten; %d noncurrent version(s) deleted by VersionId, only the current version remains", deleted)
	return r
}

// noncurrent lists the version IDs of the key's versions other than the
// current one (delete markers excluded: they hold no data).
func (h *Handler) noncurrent(ctx context.Context, key string) ([]string, error) {
	var out []string
	p := awss3.NewListObjectVersionsPaginator(h.conn.Client, &awss3.ListObjectVersionsInput{Bucket: aws.String(h.conn.URL.Bucket), Prefix: aws.String(key)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Key) == key && !aws.ToBool(v.IsLatest) {
				out = append(out, aws.ToString(v.VersionId))
			}
		}
	}
	return out, nil
}

// retention describes why a version may be locked: its retention date or
// legal hold, when the server says, and the retain-until date if any (the
// receipt's expiry of the locked bytes).
func (h *Handler) retention(ctx context.Context, key, version string) (string, *time.Time) {
	var s string
	var until *time.Time
	if out, err := h.conn.Client.GetObjectRetention(ctx, &awss3.GetObjectRetentionInput{Bucket: aws.String(h.conn.URL.Bucket), Key: aws.String(key), VersionId: aws.String(version)}); err == nil && out.Retention != nil {
		s = " (object lock " + string(out.Retention.Mode)
		if out.Retention.RetainUntilDate != nil {
			s += " until " + out.Retention.RetainUntilDate.UTC().Format("2006-01-02T15:04:05Z")
			u := out.Retention.RetainUntilDate.UTC()
			until = &u
		}
		s += ")"
	}
	if out, err := h.conn.Client.GetObjectLegalHold(ctx, &awss3.GetObjectLegalHoldInput{Bucket: aws.String(h.conn.URL.Bucket), Key: aws.String(key), VersionId: aws.String(version)}); err == nil &&
		out.LegalHold != nil && out.LegalHold.Status == types.ObjectLockLegalHoldStatusOn {
		s += " (legal hold)"
	}
	return s, until
}

// apiCode is an S3 error's code, never its message (which may echo keys).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ss3.Classify(err).Error()
}

func dedupe(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
