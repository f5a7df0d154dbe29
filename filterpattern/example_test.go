package filterpattern_test

import (
	"errors"
	"fmt"

	"github.com/lambdalog/lambdalog/filterpattern"
)

func ExampleParse() {
	p, err := filterpattern.Parse(`{ $.level = "ERROR" || $.latency > 500 }`)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Kind())
	fmt.Println(p.Match(`{"level":"INFO","latency":812}`))
	fmt.Println(p.Match(`{"level":"INFO","latency":35}`))
	fmt.Println(p.Match(`plain text`))
	// Output:
	// json
	// true
	// false
	// false
}

func ExampleParse_terms() {
	p, _ := filterpattern.Parse(`ERROR -ARGUMENTS`)
	for _, event := range []string{
		"[ERROR 400] BAD REQUEST",
		"[ERROR 419] MISSING ARGUMENTS",
	} {
		fmt.Println(p.Match(event), event)
	}
	// Output:
	// true [ERROR 400] BAD REQUEST
	// false [ERROR 419] MISSING ARGUMENTS
}

func ExampleParse_error() {
	_, err := filterpattern.Parse(`{ $.user = john@example.com }`)
	fmt.Println(err)
	var se *filterpattern.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Offset, se.AWSMessage())
	}
	// Output:
	// filter pattern: column 16: character '@' is not allowed in an unquoted value; put the value in double quotes
	// 15 Invalid character(s) in term '@'
}

func ExamplePattern_Extract() {
	p := filterpattern.MustParse(`[ip, user, ..., status = 4*, bytes]`)
	vals, ok := p.Extract(`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`)
	fmt.Println(ok)
	for _, k := range []string{"$ip", "$user", "$3", "$4", "$5", "$status", "$bytes"} {
		fmt.Printf("%s=%s\n", k, vals[k])
	}
	// Output:
	// true
	// $ip=127.0.0.1
	// $user=-
	// $3=frank
	// $4=10/Oct/2000:13:25:15 -0700
	// $5=GET /index.html HTTP/1.0
	// $status=404
	// $bytes=1534
}

func ExamplePattern_MatchBytes() {
	p := filterpattern.MustParse(`%RequestId:\s[0-9a-f]{8}-%`)
	event := []byte("END RequestId: c6af9ac6-7b61-11e6-9a41-93e812345678")
	fmt.Println(p.MatchBytes(event), p.RegexCount())
	// Output: true 1
}
