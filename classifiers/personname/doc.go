// Package personname finds person names in running text (support tickets,
// chat, e-mail bodies and signatures, CRM notes, log messages) with a
// statistical sequence model rather than a name list.
//
// The model is a first-order BIO tagger (B: first token of a name, I:
// inside, O: outside) trained as an averaged structured perceptron and
// decoded with Viterbi. Its features, hashed into 2^16 buckets per tag, are
// the token's shape and capitalisation, prefix and suffix characters,
// membership in the given-name, surname, honorific, cue-word, month/weekday,
// place, organisation, code-word and common-English-word lists, whether it
// opens a sentence or a line, and the words, shapes and list memberships of
// the two tokens on either side. The confidence of a name is the decision
// margin against the best tagging without it, through a logistic curve
// calibrated on training data.
//
// The weights are trained in this repository and shipped as model.bin.gz
// (go:embed, int16-quantised, gzip):
//
//	go generate ./classifiers/personname    # = go run ./classifiers/personname/train
//	go run ./classifiers/personname/train -eval    # score the shipped model on the dev split
//
// Training data comes from the synth package: templates of tickets, chat
// lines, e-mails and signatures, CRM notes and log lines in English,
// German, French and Spanish (a few in Italian, Dutch, Portuguese), filled
// with names of many origins and with realistic negatives (CamelCase class
// names, stack traces, product and company names, streets, cities, months,
// headings, log levels, keyboard mash). Training hides a name token's list
// membership three times in five, and one name in ten is invented, so the
// model learns names from context and shape and not only from the lists.
// The development split uses other templates, other places and products,
// and draws half of its names from lists held out of both the lexicon and
// training (synth/data/heldout_*.txt).
//
// Data (all in the repository, nothing is fetched at run time):
//   - lexicon/given.txt, lexicon/surname.txt: given names and surnames of
//     the Latin-script locales of @faker-js/faker 10.6.0 (npm, MIT licence,
//     Copyright 2022-present Faker contributors), one name in eight held
//     out by a fixed hash for the development split.
//   - lexicon/words.txt: the lower-case words of SCOWL's American English
//     list as packaged by Debian (wamerican 2020.12.07), licence: permission
//     to use, copy, modify, distribute and sell granted without fee
//     provided the copyright notice appears (Copyright 2000-2011 Kevin
//     Atkinson and others).
//   - synth/data/*.txt: cities, streets, products and job titles from the
//     same faker package, for the generator only.
//   - lexicon/extract.mjs rebuilds all of them.
//
// The scanner in package classifiers calls the model only where a cheap
// gate fires (see classifiers/scan_name.go); this package knows nothing of
// rules or engines.
package personname

//go:generate go run ./train
