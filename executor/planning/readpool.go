package planning

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// ReadEach runs read for items 0..n-1 in one pool of at most limit
// goroutines, with at most lanes(store(i)) items of one store at once (at
// least one). Items are started round-robin across stores, each store's in
// order, so that a store read one asset at a time does not hold the pool.
// It returns the first error read returns; the others are cancelled.
func ReadEach(ctx context.Context, limit, n int, store func(i int) string, lanes func(store string) int,
	read func(ctx context.Context, i int) error) error {
	var stores []string
	queues := map[string][]int{}
	for i := range n {
		s := store(i)
		if _, ok := queues[s]; !ok {
			stores = append(stores, s)
		}
		queues[s] = append(queues[s], i)
	}
	sems := make(map[string]chan struct{}, len(stores))
	for _, s := range stores {
		sems[s] = make(chan struct{}, max(1, lanes(s)))
	}
	grp, gctx := errgroup.WithContext(ctx)
	grp.SetLimit(max(1, limit))
	for left := n; left > 0; {
		for _, s := range stores {
			q := queues[s]
			if len(q) == 0 {
				continue
			}
			i, sem := q[0], sems[s]
			queues[s] = q[1:]
			left--
			grp.Go(func() error {
				select {
				case sem <- struct{}{}:
				case <-gctx.Done():
					return gctx.Err()
				}
				defer func() { <-sem }()
				return read(gctx, i)
			})
		}
	}
	return grp.Wait()
}
