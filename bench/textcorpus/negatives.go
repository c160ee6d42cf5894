package textcorpus

import (
	"fmt"
	"math/rand/v2"
)

var monthNames = map[string][]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
}

// dateIn renders a calendar date the way the locale writes it.
func dateIn(r *rand.Rand, locale string, y, m, d int) string {
	lang := locale[:2]
	mn := monthNames[lang][m-1]
	switch r.IntN(5) {
	case 0:
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	case 1:
		switch lang {
		case "de":
			return fmt.Sprintf("%d. %s %d", d, mn, y)
		case "fr":
			return fmt.Sprintf("%d %s %d", d, mn, y)
		case "es":
			return fmt.Sprintf("%d de %s de %d", d, mn, y)
		}
		if locale == "en-US" {
			return fmt.Sprintf("%s %d, %d", mn, d, y)
		}
		return fmt.Sprintf("%d %s %d", d, mn, y)
	}
	switch {
	case locale == "en-US":
		return fmt.Sprintf("%02d/%02d/%04d", m, d, y)
	case lang == "de":
		return fmt.Sprintf("%02d.%02d.%04d", d, m, y)
	}
	return fmt.Sprintf("%02d/%02d/%04d", d, m, y)
}

func birthDate(r *rand.Rand, locale string) string {
	return dateIn(r, locale, 1940+r.IntN(65), 1+r.IntN(12), 1+r.IntN(28))
}

var products = []string{"Galaxy S23 Ultra", "ThinkPad X1 Carbon", "iPhone 15 Pro", "Pixel 8", "Surface Laptop 5", "Kindle Paperwhite", "PlayStation 5", "Model 3",
	"AirPods Pro", "Dyson V15", "Roomba j7+", "Nest Hub Max", "Echo Dot", "MacBook Air M2", "Apple Watch SE", "Fire TV Stick 4K", "Jabra Evolve2 65", "Logitech MX Master 3S"}

var classNames = []string{"com.acme.billing.InvoiceService", "UserProfileController", "PersonNameValidator", "AddressLookupClient", "org.shop.cart.CartItemMapper",
	"CustomerRepositoryImpl", "PaymentCardTokenizer", "app.services.NotificationDispatcher", "EmailTemplateRenderer", "PhoneNumberFormatter", "LinkedHashMap", "java.lang.NullPointerException",
	"KafkaConsumerWorker", "RedisSessionStore", "OrderFulfillmentSaga", "GeoIpResolver", "SpringApplication", "HikariPool-1"}

var companies = []string{"Acme Corp", "Globex GmbH", "Initech SAS", "Umbrella Logistics S.L.", "Stark Industries", "Wayne Enterprises", "Hooli Inc.", "Vandelay Imports",
	"Northwind Traders", "Contoso Ltd", "Fabrikam AG", "Tailspin Toys", "Wide World Importers", "Blue Yonder Airlines"}

func hexStr(r *rand.Rand, n int) string {
	const h = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = h[r.IntN(16)]
	}
	return string(b)
}

func upperAlnum(r *rand.Rand, n int) string {
	const a = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = a[r.IntN(len(a))]
	}
	return string(b)
}

// negative renders an unlabelled placeholder: the hard negatives (numbers,
// names and codes that look like personal data but are not) and neutral
// filler.
func negative(g *gen, key string) (string, bool) {
	r := g.r
	switch key {
	case "order":
		return pick(r, []string{"ORD-" + digits(r, 6), "#" + digits(r, 7), digits(r, 9), "A" + digits(r, 8), fmt.Sprintf("%d-%s-%s", 100+r.IntN(900), digits(r, 7), digits(r, 7)), "SO" + digits(r, 10)}), true
	case "version":
		return pick(r, []string{fmt.Sprintf("%d.%d.%d", r.IntN(20), r.IntN(30), r.IntN(200)), fmt.Sprintf("v%d.%d.%d", 1+r.IntN(9), r.IntN(30), r.IntN(50)),
			fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(20), r.IntN(10), r.IntN(100), r.IntN(9999)), fmt.Sprintf("%d.%d.%d-rc.%d", r.IntN(5), r.IntN(20), r.IntN(9), 1+r.IntN(5))}), true
	case "ts":
		return fmt.Sprintf("%d-%02d-%02dT%02d:%02d:%02d.%03dZ", 2023+r.IntN(3), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000)), true
	case "tsplain":
		return fmt.Sprintf("%d-%02d-%02d %02d:%02d:%02d,%03d", 2023+r.IntN(3), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000)), true
	case "epoch":
		return fmt.Sprint(1600000000 + r.IntN(200000000)), true
	case "clock":
		return fmt.Sprintf("%02d:%02d", 7+r.IntN(14), r.IntN(60)), true
	case "tracking":
		return pick(r, []string{"1Z" + upperAlnum(r, 6) + digits(r, 10), digits(r, 12), digits(r, 20), "JJD" + digits(r, 18), upperAlnum(r, 2) + digits(r, 9) + "DE", digits(r, 4) + " " + digits(r, 4) + " " + digits(r, 4) + " " + digits(r, 2)}), true
	case "price":
		return pick(r, []string{fmt.Sprintf("$%d.%02d", 5+r.IntN(2000), r.IntN(100)), fmt.Sprintf("€%d,%02d", 5+r.IntN(900), r.IntN(100)), fmt.Sprintf("%d,%02d €", 5+r.IntN(900), r.IntN(100)),
			fmt.Sprintf("£%d.%02d", 5+r.IntN(900), r.IntN(100)), fmt.Sprintf("$1,%03d.%02d", r.IntN(1000), r.IntN(100)), fmt.Sprintf("%d.%03d,%02d EUR", 1+r.IntN(9), r.IntN(1000), r.IntN(100))}), true
	case "product":
		return pick(r, products), true
	case "class":
		return pick(r, classNames), true
	case "company":
		return pick(r, companies), true
	case "street":
		return g.lx.streetOnly(r, g.c), true
	case "city":
		return g.lx.cityOnly(r, g.c), true
	case "uuid":
		return hexStr(r, 8) + "-" + hexStr(r, 4) + "-4" + hexStr(r, 3) + "-a" + hexStr(r, 3) + "-" + hexStr(r, 12), true
	case "hash":
		return hexStr(r, pick(r, []int{7, 12, 40, 64})), true
	case "ref16":
		return luhnBroken(r), true
	case "masked":
		return maskedCard(r), true
	case "ticket":
		return pick(r, []string{"#" + digits(r, 5), "INC" + digits(r, 7), "CS-" + digits(r, 6), "JIRA-" + digits(r, 4), "TKT-" + digits(r, 8)}), true
	case "date":
		return dateIn(r, g.locale, 2023+r.IntN(3), 1+r.IntN(12), 1+r.IntN(28)), true
	case "sku":
		return pick(r, []string{"SKU-" + upperAlnum(r, 6), upperAlnum(r, 3) + "-" + digits(r, 4) + "-" + upperAlnum(r, 2), digits(r, 13), "B0" + upperAlnum(r, 8)}), true
	case "build":
		return pick(r, []string{"build " + digits(r, 5), "#" + digits(r, 4), digits(r, 8) + "." + digits(r, 4)}), true
	case "port":
		return fmt.Sprint(pick(r, []int{80, 443, 5432, 6379, 8080, 8443, 9092, 3306})), true
	case "host":
		return pick(r, []string{"api-gw-" + fmt.Sprint(r.IntN(9)), "web-" + hexStr(r, 5), "db-primary.internal", "worker-" + fmt.Sprint(r.IntN(40)), "localhost"}), true
	case "user":
		return g.customer.username(r), true
	case "count":
		return fmt.Sprint(1 + r.IntN(5000)), true
	case "amount":
		return fmt.Sprintf("%d.%02d", 1+r.IntN(5000), r.IntN(100)), true
	case "duration":
		return fmt.Sprintf("%dms", 1+r.IntN(3000)), true
	case "invoice":
		return pick(r, []string{"INV-" + digits(r, 4) + "-" + digits(r, 5), "RE" + digits(r, 8), "F" + digits(r, 2) + "/" + digits(r, 6)}), true
	case "status":
		return fmt.Sprint(pick(r, []int{200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 500, 502, 503})), true
	case "level":
		return pick(r, []string{"INFO", "WARN", "ERROR", "DEBUG"}), true
	case "lvl":
		return pick(r, []string{"info", "warn", "error", "debug"}), true
	}
	return "", false
}
