package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base, pw := os.Args[1], os.Args[2]
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.WindowSize(1280, 900))
	actx, c1 := chromedp.NewExecAllocator(context.Background(), opts...)
	defer c1()
	ctx, c2 := chromedp.NewContext(actx)
	defer c2()
	ctx, c3 := context.WithTimeout(ctx, 60*time.Second)
	defer c3()
	must(chromedp.Run(ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#email", chromedp.ByID),
		chromedp.SendKeys("#email", "admin@leadflow.test", chromedp.ByID), chromedp.SendKeys("#password", pw+"\n", chromedp.ByID),
		chromedp.WaitVisible("table.leads")))
	for i, p := range os.Args[3:] {
		var png []byte
		must(chromedp.Run(ctx, chromedp.Navigate(base+p), chromedp.Sleep(300*time.Millisecond), chromedp.FullScreenshot(&png, 100)))
		os.WriteFile(fmt.Sprintf("/tmp/shots/page%d.png", i), png, 0o644)
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
