package main

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/principal"
)

func (a *app) receiptCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "receipt",
		Short: "Check signed receipts: verify",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError("receipt: name a subcommand: verify")
		},
	}
	cmd.AddCommand(a.receiptVerify())
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

// receiptResult is what `receipt verify --json` prints.
type receiptResult struct {
	Request     string `json:"request"`
	Valid       bool   `json:"valid"`
	Reason      string `json:"reason,omitempty"`
	Fingerprint string `json:"public_key_fingerprint"`
	Status      string `json:"status,omitempty"`
	Source      string `json:"source"` // file | graph
}

func (a *app) receiptVerify() *cobra.Command {
	var pubFile string
	cmd := &cobra.Command{
		Use:     "verify ID|FILE",
		Example: "  piimap receipt verify $id\n  piimap receipt verify receipt.json --public-key signing.pub   # offline, nothing but the public key",
		Short:   "Verify a receipt's Ed25519 signature with the public key alone",
		Long: `verify checks a receipt's signature. FILE is a receipt as printed by
` + "`piimap dsar receipt ID --json`" + ` or receipt.json of an evidence pack; it is checked
without the graph. ID reads the request's receipt from the graph.

The public key is --public-key FILE (PEM, as signing.pub), else signing.pub of the
key directory. The receipt's own public_key must be that key: a receipt re-signed
with any other key is invalid. Exit 0 valid, 1 invalid with the reason.

  piimap receipt verify receipt.json --public-key signing.pub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := a.receiptKeys(pubFile)
			if err != nil {
				return fmt.Errorf("receipt verify: %w", err)
			}
			pub := keys[0]
			res := receiptResult{Fingerprint: evidence.KeyFingerprint(pub)}
			var data []byte
			if fi, serr := os.Stat(args[0]); serr == nil && fi.Mode().IsRegular() {
				res.Source = "file"
				if data, err = os.ReadFile(args[0]); err != nil {
					return fmt.Errorf("receipt verify: %w", err)
				}
			} else {
				res.Source = "graph"
				svc, ctx, err := a.authed(cmd)
				if err != nil {
					return err
				}
				if ctx, err = svc.Authorize(ctx, principal.ReadReceipt, args[0]); err != nil {
					return err
				}
				rc, err := svc.Receipt(ctx, args[0])
				if err != nil {
					return fmt.Errorf("receipt verify: %w (give a request id, or the path of a receipt file)", err)
				}
				if data, err = json.Marshal(rc); err != nil {
					return err
				}
			}
			rc, verr := evidence.VerifyReceiptJSON(data, pub)
			for _, old := range keys[1:] { // signing keys rotated out
				if verr == nil {
					break
				}
				if r2, err := evidence.VerifyReceiptJSON(data, old); err == nil {
					rc, verr, res.Fingerprint = r2, nil, evidence.KeyFingerprint(old)
				}
			}
			if rc != nil {
				res.Request, res.Status = rc.Request, string(rc.Status)
			}
			if verr == nil && (rc == nil || rc.Request == "") {
				verr = errors.New("not a receipt: no request id")
			}
			res.Valid = verr == nil
			if verr != nil {
				res.Reason = verr.Error()
			}
			if a.jsonOut {
				if err := a.printJSON(res); err != nil {
					return err
				}
			} else if res.Valid {
				safef(a.stdout, "receipt %s: valid: signed by key %s (status %s)\n", res.Request, res.Fingerprint, res.Status)
			} else {
				safef(a.stdout, "receipt %s: INVALID: %s\n", res.Request, res.Reason)
			}
			if !res.Valid {
				return &exitCodeError{code: exitError, err: fmt.Errorf("receipt verify: %s: the receipt was altered or signed by another key than %s", res.Reason, res.Fingerprint)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&pubFile, "public-key", "", "the installation's public key (PEM, as signing.pub; default: the key directory's)")
	return cmd
}

// receiptKeys reads the trusted public keys: pubFile alone, else the key
// directory's signing.pub and the retired keys beside it (only public
// files are read).
func (a *app) receiptKeys(pubFile string) ([]ed25519.PublicKey, error) {
	if pubFile != "" {
		pub, err := readPublicKey(pubFile)
		if err != nil {
			return nil, err
		}
		return []ed25519.PublicKey{pub}, nil
	}
	cfg, err := a.config()
	if err != nil {
		return nil, fmt.Errorf("%w (or give --public-key FILE)", err)
	}
	p := filepath.Join(cfg.Keys, evidence.FileSigningPub)
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("public key %s: %w (run `piimap init`, or give --public-key FILE)", p, err)
	}
	pub, err := readPublicKey(p)
	if err != nil {
		return nil, err
	}
	keys := []ed25519.PublicKey{pub}
	retired, _ := filepath.Glob(filepath.Join(cfg.Keys, "retired-signing-*.pub"))
	for _, r := range retired {
		if k, err := readPublicKey(r); err == nil {
			keys = append(keys, k)
		}
	}
	return keys, nil
}
