package s3

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	gcaws "gocloud.dev/aws"
	"gocloud.dev/blob"
	"gocloud.dev/blob/s3blob"
	"gocloud.dev/gcerrors"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
)

// Scheme is the URL scheme of S3 stores; Kind their store kind.
const (
	Scheme = "s3"
	Kind   = "s3"
)

// ProbeTimeout bounds the reachability check Connect makes, retries
// included, so a store that is down fails fast.
const ProbeTimeout = 15 * time.Second

// connParams are the query parameters passed on to gocloud's s3blob opener
// (endpoint, path style, region, ...). Anything else is a config error, so a
// typo never silently falls back to AWS defaults.
var connParams = map[string]bool{
	"region": true, "endpoint": true, "use_path_style": true, "s3ForcePathStyle": true,
	"disable_https": true, "hostname_immutable": true, "profile": true, "anonymous": true,
	"dualstack": true, "fips": true, "accelerate": true, "ssetype": true, "kmskeyid": true,
	"rate_limiter_capacity": true, "request_checksum_calculation": true,
	"response_checksum_validation": true, "role": true, "awssdk": true,
}

// URL is a parsed store URL, s3://bucket/prefix?endpoint=…&use_path_style=true&region=….
// Credentials never appear in it: they come from the environment
// (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or a role).
type URL struct {
	Bucket string
	Prefix string     // "" (whole bucket) or a key prefix ending in "/"
	Query  url.Values // connection parameters for gocloud's s3blob
}

// ParseURL parses and validates an s3:// store URL.
func ParseURL(raw string) (URL, error) {
	bad := func(why string) (URL, error) {
		return URL{}, fmt.Errorf("s3: url %s: %s: %w", scanner.RedactURL(raw), why, piimap.ErrConfig)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("unparseable")
	}
	if !strings.EqualFold(u.Scheme, Scheme) {
		return bad("want s3://bucket/prefix")
	}
	if u.User != nil {
		return bad("credentials in the URL are refused; set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile")
	}
	if u.Fragment != "" || u.Opaque != "" {
		return bad("unexpected fragment or opaque part")
	}
	if err := checkBucket(u.Host); err != nil {
		return bad(err.Error())
	}
	prefix := strings.TrimPrefix(u.Path, "/")
	if prefix != "" {
		for _, seg := range strings.Split(strings.TrimSuffix(prefix, "/"), "/") {
			if seg == "" || seg == "." || seg == ".." {
				return bad("prefix has an empty, . or .. segment")
			}
		}
		prefix = strings.TrimSuffix(prefix, "/") + "/"
	}
	q := u.Query()
	for k, vs := range q {
		if !connParams[k] {
			return bad(fmt.Sprintf("unknown parameter %q", k))
		}
		if len(vs) != 1 {
			return bad(fmt.Sprintf("parameter %q given %d times", k, len(vs)))
		}
	}
	if e := q.Get("endpoint"); e != "" {
		eu, err := url.Parse(e)
		if err != nil || (eu.Scheme != "http" && eu.Scheme != "https") || eu.Host == "" || eu.User != nil {
			return bad("endpoint must be http(s)://host[:port]")
		}
	}
	return URL{Bucket: u.Host, Prefix: prefix, Query: q}, nil
}

// checkBucket applies S3's bucket naming rules (3–63 lowercase letters,
// digits, dots and hyphens, starting and ending with a letter or digit).
func checkBucket(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return errors.New("bucket name must be 3 to 63 characters")
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || (c == '.' || c == '-') && i > 0 && i < len(b)-1
		if !ok {
			return errors.New("bucket name must be lowercase letters, digits, dots and hyphens")
		}
	}
	if strings.Contains(b, "..") {
		return errors.New("bucket name has adjacent dots")
	}
	return nil
}

// String renders the URL back (it never holds secrets).
func (u URL) String() string {
	out := url.URL{Scheme: Scheme, Host: u.Bucket, Path: "/" + u.Prefix, RawQuery: u.Query.Encode()}
	if u.Prefix == "" {
		out.Path = ""
	}
	return out.String()
}

// Namespace is the OpenLineage namespace of the bucket, s3://bucket.
func (u URL) Namespace() string { return Scheme + "://" + u.Bucket }

// Key returns the object key of an asset (a key relative to the prefix).
func (u URL) Key(asset string) string { return u.Prefix + asset }

// Asset returns the asset name of an object key, false for keys outside the
// prefix and for the prefix itself.
func (u URL) Asset(key string) (string, bool) {
	a, ok := strings.CutPrefix(key, u.Prefix)
	return a, ok && a != ""
}

// UnsafeKey says why an asset (an object key relative to the store prefix)
// is not one piimap reads, erases or maps to anything: "" when it is safe.
// Unsafe are the names fileformat.UnsafeName refuses — an absolute key, a . or
// .. segment (`../x`, `a/../../b`, also between backslashes), a NUL or other
// control character — and keys not in canonical form (an empty segment, as
// in `a//b`). Such objects are listed as skipped units, never read.
func UnsafeKey(asset string) string {
	if why := fileformat.UnsafeName(asset); why != "" {
		return why
	}
	if path.Clean(asset) != strings.TrimSuffix(asset, "/") {
		return "name has an empty segment"
	}
	return ""
}

// CheckAsset refuses asset names that are not plain keys under the prefix:
// unsafe keys (UnsafeKey) with piimap.ErrUnsupported, the empty name and
// directory markers (a trailing /) with piimap.ErrNotFound. Callers name
// the asset (escaped, fileformat.EscapeName) in front of the message.
func CheckAsset(asset string) error {
	if asset == "" || strings.HasSuffix(asset, "/") {
		return fmt.Errorf("asset %s is not an object key under the store prefix: %w", fileformat.EscapeName(asset), piimap.ErrNotFound)
	}
	if why := UnsafeKey(asset); why != "" {
		return fmt.Errorf("unsafe object key (%s); refused — rename the object: %w", why, piimap.ErrOutsideRoot)
	}
	return nil
}

// Conn is an open S3 store: the gocloud bucket for listing, streaming and
// writing, and the AWS SDK v2 client behind it (also reachable through
// gocloud's As escape hatch) for what gocloud does not model.
type Conn struct {
	URL    URL
	Store  string // configured store name
	Bucket *blob.Bucket
	Client *awss3.Client
}

// Connect opens the store a config names and checks, within ProbeTimeout,
// that its bucket answers. A server that cannot be reached fails with
// piimap.ErrUnreachable; a missing bucket with ErrUnreachable and
// ErrNotFound. Credentials come from the environment and are never printed.
func Connect(ctx context.Context, cfg scanner.StoreConfig) (*Conn, error) {
	u, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	c, err := Dial(ctx, cfg.Name, u)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	if _, err := c.Client.HeadBucket(pctx, &awss3.HeadBucketInput{Bucket: aws.String(u.Bucket)}); err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("s3: store %s: %s: %w", cfg.Name, u.Namespace(), Classify(err))
	}
	return c, nil
}

// Dial opens the bucket of u without contacting the server (Connect also
// checks that it answers). The AWS config comes from gocloud's URL
// parameters (region, endpoint, profile, ...) and the SDK's default
// credential chain; the S3-specific parameters are applied here so that the
// client can also be told not to log (the SDK otherwise prints a line to
// stderr for every ranged GET whose checksum it cannot validate).
func Dial(ctx context.Context, store string, u URL) (*Conn, error) {
	fail := func(err error) (*Conn, error) {
		return nil, fmt.Errorf("s3: store %s: open %s: %v: %w", store, u.Namespace(), scrub(err), piimap.ErrConfig)
	}
	q := url.Values{}
	var s3opts []func(*awss3.Options)
	var bopts s3blob.Options
	for k, vs := range u.Query {
		v := vs[0]
		switch k {
		case "use_path_style", "s3ForcePathStyle", "disable_https", "accelerate":
			on, err := strconv.ParseBool(v)
			if err != nil {
				return fail(fmt.Errorf("parameter %s: %w", k, err))
			}
			s3opts = append(s3opts, func(o *awss3.Options) {
				switch k {
				case "disable_https":
					o.EndpointOptions.DisableHTTPS = on
				case "accelerate":
					o.UseAccelerate = on
				default:
					o.UsePathStyle = on
				}
			})
		case "ssetype":
			bopts.EncryptionType = types.ServerSideEncryption(v)
		case "kmskeyid":
			bopts.KMSEncryptionID = v
		default:
			q[k] = vs
		}
	}
	cfg, err := gcaws.V2ConfigFromURLParams(ctx, q)
	if err != nil {
		return fail(err)
	}
	s3opts = append(s3opts, func(o *awss3.Options) {
		o.Logger = logging.Nop{}
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	client := awss3.NewFromConfig(cfg, s3opts...)
	bopts.RequestChecksumCalculation = cfg.RequestChecksumCalculation
	bucket, err := s3blob.OpenBucket(ctx, client, u.Bucket, &bopts)
	if err != nil {
		return fail(err)
	}
	return &Conn{URL: u, Store: store, Bucket: bucket, Client: client}, nil
}

// Close releases the bucket.
func (c *Conn) Close() error { return c.Bucket.Close() }

// Classify wraps a store error in the piimap sentinel callers branch on:
// ErrUnreachable for network failures, timeouts and denied access,
// ErrUnreachable+ErrNotFound for a missing bucket, ErrNotFound for a missing
// key, ErrInvalidState for a read pinned to an ETag the object no longer
// has. Other errors keep their own identity. The message is scrubbed of
// request signatures.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	msg := scrub(err)
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var ne net.Error
	var oe *net.OpError
	switch {
	case code == "NoSuchBucket" || (code == "NotFound" && isBucketOp(err)):
		return wrapped{fmt.Sprintf("bucket not found: %s", msg), err, []error{piimap.ErrUnreachable, piimap.ErrNotFound}}
	case code == "NoSuchKey" || code == "NotFound" || gcerrors.Code(err) == gcerrors.NotFound:
		return wrapped{msg, err, []error{piimap.ErrNotFound}}
	case code == "PreconditionFailed":
		return wrapped{"object changed while being read (its ETag no longer matches): " + msg, err, []error{piimap.ErrInvalidState}}
	case code == "AccessDenied" || code == "Forbidden" || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch":
		return wrapped{"access denied (check the credentials in the environment): " + msg, err, []error{piimap.ErrUnreachable}}
	case errors.As(err, &oe), errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded):
		return wrapped{"cannot reach the server: " + msg, err, []error{piimap.ErrUnreachable}}
	}
	return wrapped{msg, err, nil}
}

func isBucketOp(err error) bool {
	var oe *smithy.OperationError
	return errors.As(err, &oe) && oe.Operation() == "HeadBucket"
}

// wrapped carries a scrubbed message, the original error and the sentinels
// it stands for.
type wrapped struct {
	msg   string
	err   error
	sents []error
}

func (w wrapped) Error() string {
	var b strings.Builder
	b.WriteString(w.msg)
	for _, s := range w.sents {
		b.WriteString(": ")
		b.WriteString(s.Error())
	}
	return b.String()
}

func (w wrapped) Unwrap() []error { return append([]error{w.err}, w.sents...) }

// scrub renders an SDK error without quoted fragments (third-party text)
// and without anything after a presigned query.
func scrub(err error) string {
	msg := scanner.ScrubError(err).Error()
	if i := strings.Index(msg, "X-Amz-"); i >= 0 {
		msg = msg[:i] + "…"
	}
	return msg
}
