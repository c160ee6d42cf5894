package estate

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Person is one fake data subject of the demo estate, drawn by newPerson with
// a full set of identifiers. Every value is generated: none belongs to
// a real person.
type Person struct {
	ID             int
	UserID         string
	First          string
	Last           string
	Email          string
	Phone          string
	DOB            time.Time
	Street         string
	City           string
	Postcode       string
	SSN            string
	Card           string
	IBAN           string
	SignupIP       string
	MarketingOptIn bool
}

// FullName is "First Last"; some sources write it in capitals.
func (p Person) FullName() string { return p.First + " " + p.Last }

var firstNames = []string{
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
	"Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra",
	"Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle",
	"Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Dorothy", "George", "Melissa", "Timothy", "Deborah",
	"Oliver", "Amelia", "Harry", "Isla", "Jack", "Ava", "Noah", "Mia", "Leo", "Grace",
	"Lucas", "Emma", "Hugo", "Chloe", "Louis", "Lea", "Paul", "Anna", "Felix", "Sophie",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
	"Evans", "Turner", "Phillips", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook",
	"Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Dubois", "Moreau", "Laurent", "Bernard", "Petit",
}

var streets = []string{"Main St", "Oak Avenue", "Maple Road", "Cedar Lane", "Elm Street", "Park Avenue",
	"Washington Blvd", "Lake Drive", "Hill Road", "Church Street", "High Street", "Station Road"}

var cities = []string{"Springfield", "Riverside", "Franklin", "Greenville", "Bristol", "Clinton",
	"Fairview", "Salem", "Madison", "Georgetown", "Arlington", "Ashland"}

var emailDomains = []string{"example.com", "example.org", "example.net", "mail.example.com", "inbox.example.org"}

// US area codes and exchanges that are assigned (the numbers themselves are random).
var usAreas = []string{"212", "415", "312", "617", "206", "303", "512", "404", "213", "702"}

func newPerson(r *rand.Rand, id int) Person {
	p := Person{ID: id}
	p.UserID = fmt.Sprintf("usr_%08x%02x", r.Uint32(), id%256)
	p.First = firstNames[r.IntN(len(firstNames))]
	p.Last = lastNames[r.IntN(len(lastNames))]
	p.Email = fmt.Sprintf("%s.%s%d@%s", strings.ToLower(p.First), strings.ToLower(p.Last), id,
		emailDomains[r.IntN(len(emailDomains))])
	p.Phone = phone(r)
	p.DOB = time.Date(1950+r.IntN(55), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	p.Street = fmt.Sprintf("%d %s", 1+r.IntN(9899), streets[r.IntN(len(streets))])
	p.City = cities[r.IntN(len(cities))]
	p.Postcode = fmt.Sprintf("%05d", 10000+r.IntN(89999))
	p.SSN = ssn(r)
	p.Card = card(r)
	p.IBAN = iban(r)
	p.SignupIP = fmt.Sprintf("%d.%d.%d.%d", 11+r.IntN(180), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	p.MarketingOptIn = r.IntN(3) != 0
	return p
}

// phone returns a US number in E.164 or a national format: a valid area
// code and exchange with a random line number.
func phone(r *rand.Rand) string {
	area := usAreas[r.IntN(len(usAreas))]
	exch := 201 + r.IntN(798)
	if exch == 555 || exch%100 == 11 {
		exch++
	}
	line := r.IntN(10000)
	switch r.IntN(3) {
	case 0:
		return fmt.Sprintf("+1%s%03d%04d", area, exch, line)
	case 1:
		return fmt.Sprintf("+1 %s-%03d-%04d", area, exch, line)
	default:
		return fmt.Sprintf("(%s) %03d-%04d", area, exch, line)
	}
}

// ssn returns an SSN that passes the SSA rules: area 001-899 except 666,
// group 01-99, serial 0001-9999.
func ssn(r *rand.Rand) string {
	area := 1 + r.IntN(899)
	if area == 666 {
		area = 667
	}
	return fmt.Sprintf("%03d-%02d-%04d", area, 1+r.IntN(99), 1+r.IntN(9999))
}

// card returns a 16-digit Visa-range number with a valid Luhn check digit.
func card(r *rand.Rand) string {
	d := make([]int, 16)
	d[0] = 4
	for i := 1; i < 15; i++ {
		d[i] = r.IntN(10)
	}
	d[15] = luhnCheck(d[:15])
	var b strings.Builder
	for i, v := range d {
		if i > 0 && i%4 == 0 && r.IntN(2) == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(byte('0' + v))
	}
	return strings.ReplaceAll(b.String(), " ", "")
}

// luhnCheck computes the check digit for the payload digits.
func luhnCheck(payload []int) int {
	sum := 0
	for i := len(payload) - 1; i >= 0; i-- {
		v := payload[i]
		if (len(payload)-1-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return (10 - sum%10) % 10
}

// notLuhn returns a 16-digit number whose Luhn check fails: the hard negative.
func notLuhn(r *rand.Rand) string {
	d := make([]int, 16)
	d[0] = 1 + r.IntN(9)
	for i := 1; i < 15; i++ {
		d[i] = r.IntN(10)
	}
	d[15] = (luhnCheck(d[:15]) + 1 + r.IntN(9)) % 10
	var b strings.Builder
	for _, v := range d {
		b.WriteByte(byte('0' + v))
	}
	return b.String()
}

// iban returns a German IBAN (22 characters) with valid mod-97 check digits.
func iban(r *rand.Rand) string {
	bban := fmt.Sprintf("%08d%010d", r.IntN(100000000), r.Int64N(10000000000))
	// check digits: move "DE00" to the end, letters to numbers (D=13, E=14).
	num := bban + "131400"
	rem := 0
	for _, c := range num {
		rem = (rem*10 + int(c-'0')) % 97
	}
	return fmt.Sprintf("DE%02d%s", 98-rem, bban)
}

// badSSN returns an SSN-shaped number that the SSA never issues: area 000,
// 666 or 900-999.
func badSSN(r *rand.Rand) string {
	areas := []int{0, 666, 900 + r.IntN(100)}
	return fmt.Sprintf("%03d-%02d-%04d", areas[r.IntN(len(areas))], 1+r.IntN(99), 1+r.IntN(9999))
}

func uuidv4(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
