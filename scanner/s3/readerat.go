package s3

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
)

// Ranged-read tuning: reads smaller than a block are served from a small
// cache of aligned blocks (Parquet readers issue many small reads of the
// footer and page headers); larger reads go straight to one ranged GET.
const (
	DefaultBlockSize = 1 << 20
	DefaultMaxBlocks = 8
)

// ReaderAt is an io.ReaderAt over one object, backed by ranged GETs. Every
// request is pinned to the object's ETag (If-Match), so a reader never mixes
// bytes of two versions: if the object is replaced mid-read, ReadAt fails
// with a precondition error instead. Memory is bounded by MaxBlocks ×
// BlockSize plus the caller's buffers. It is safe for concurrent use.
type ReaderAt struct {
	ctx    context.Context
	bucket *blob.Bucket
	key    string
	size   int64
	etag   string

	BlockSize int64
	MaxBlocks int

	mu       sync.Mutex
	blocks   map[int64][]byte
	order    []int64 // block indexes, least recently used first
	requests atomic.Int64
	fetched  atomic.Int64
}

// NewReaderAt returns a ReaderAt over key, which is size bytes long and has
// the given ETag ("" disables pinning). ctx bounds every request.
func NewReaderAt(ctx context.Context, b *blob.Bucket, key string, size int64, etag string) *ReaderAt {
	return &ReaderAt{ctx: ctx, bucket: b, key: key, size: size, etag: etag,
		BlockSize: DefaultBlockSize, MaxBlocks: DefaultMaxBlocks, blocks: map[int64][]byte{}}
}

// Size is the object's length.
func (r *ReaderAt) Size() int64 { return r.size }

// Requests counts the ranged GETs issued so far.
func (r *ReaderAt) Requests() int64 { return r.requests.Load() }

// Fetched counts the bytes those GETs returned.
func (r *ReaderAt) Fetched() int64 { return r.fetched.Load() }

// ReadAt implements io.ReaderAt.
func (r *ReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("s3: read %s at negative offset %d", r.key, off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := len(p)
	if rest := r.size - off; int64(want) > rest {
		p = p[:rest]
	}
	var n int
	var err error
	if int64(len(p)) >= r.BlockSize {
		n, err = r.fetch(p, off)
	} else {
		n, err = r.cached(p, off)
	}
	if err == nil && n < want {
		err = io.EOF
	}
	return n, err
}

// cached serves a small read from (at most two) cached blocks.
func (r *ReaderAt) cached(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		idx := (off + int64(n)) / r.BlockSize
		blk, err := r.block(idx)
		if err != nil {
			return n, err
		}
		start := off + int64(n) - idx*r.BlockSize
		if start >= int64(len(blk)) {
			return n, io.ErrUnexpectedEOF
		}
		n += copy(p[n:], blk[start:])
	}
	return n, nil
}

func (r *ReaderAt) block(idx int64) ([]byte, error) {
	r.mu.Lock()
	if b, ok := r.blocks[idx]; ok {
		r.touch(idx)
		r.mu.Unlock()
		return b, nil
	}
	r.mu.Unlock()
	start := idx * r.BlockSize
	buf := make([]byte, min(r.BlockSize, r.size-start))
	if _, err := r.fetch(buf, start); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.blocks[idx]; !ok {
		r.blocks[idx] = buf
		r.order = append(r.order, idx)
		for len(r.order) > max(1, r.MaxBlocks) {
			delete(r.blocks, r.order[0])
			r.order = r.order[1:]
		}
	}
	return buf, nil
}

func (r *ReaderAt) touch(idx int64) {
	for i, v := range r.order {
		if v == idx {
			copy(r.order[i:], r.order[i+1:])
			r.order[len(r.order)-1] = idx
			return
		}
	}
}

// fetch reads len(p) bytes at off with one ranged GET.
func (r *ReaderAt) fetch(p []byte, off int64) (int, error) {
	r.requests.Add(1)
	rr, err := r.bucket.NewRangeReader(r.ctx, r.key, off, int64(len(p)), PinETag(r.etag))
	if err != nil {
		return 0, Classify(err)
	}
	defer rr.Close()
	n, err := io.ReadFull(rr, p)
	r.fetched.Add(int64(n))
	if err != nil {
		return n, fmt.Errorf("range %d+%d: %w", off, len(p), Classify(err))
	}
	return n, nil
}

// PinETag returns reader options that make a GET conditional on the
// object's ETag (If-Match), or nil when etag is empty. A read of a replaced
// object then fails with a precondition error.
func PinETag(etag string) *blob.ReaderOptions {
	if etag == "" {
		return nil
	}
	return &blob.ReaderOptions{BeforeRead: func(as func(any) bool) error {
		var in *awss3.GetObjectInput
		if as(&in) {
			in.IfMatch = aws.String(etag)
		}
		return nil
	}}
}
