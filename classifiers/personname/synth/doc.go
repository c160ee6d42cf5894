// Package synth generates the labelled texts the person-name tagger is
// trained and measured on. Train and Dev are kept apart: different
// templates (templates_train.go with phrases.go and frames.go, against
// templates_dev.go), different halves of the city, street, product and job
// lists, a different seed, and half of the dev names come from lists that
// neither the shipped lexicon nor training contains. Nothing here reads
// any other evaluation corpus.
package synth
