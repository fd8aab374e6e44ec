/**
 * Offline blocklist of common passwords for the `common_password` rule (NIST SP 800-63B rev 4
 * §3.1.1.2 "blocklist of commonly-used, expected, or compromised values"; OWASP ASVS 5.0 6.2.4
 * "at least the top 3000").
 *
 * The list is written from well-known leaked-password top lists (the RockYou, SecLists
 * "10-million" and yearly "worst passwords" rankings) plus the pattern families those lists are
 * full of, generated below: digit runs and repeats, keyboard walks, common words with numeric and
 * punctuation suffixes, words with years, and leetspeak spellings of "password". Generation is
 * deterministic (fixed inputs, fixed order, no randomness), so every process sees the same list.
 *
 * Every entry is NFKC-normalised and lowercase: the rule compares the NFKC-lowercased password
 * against it, so "Password1" and "ＰＡＳＳＷＯＲＤ１" both hit "password1". Entries are unique.
 */

/** Split a whitespace-separated word block into entries. */
function words(block: string): string[] {
  return block.split(/\s+/).filter((w) => w.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Curated entries (String.raw so that "\" and "$" in entries are kept literally).
// ---------------------------------------------------------------------------------------------

/** The top of the real rankings, roughly in rank order. */
const RANKED = words(String.raw`
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon
123123 baseball abc123 football monkey letmein shadow master 666666 qwertyuiop
123321 mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777 121212 000000
qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster
soccer harley batman andrew tigger sunshine iloveyou 2000 charlie robert
thomas hockey ranger daniel starwars klaster 112233 george computer michelle
jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass
maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love
ashley nicole chelsea biteme matthew access yankees 987654321 dallas austin
thunder taylor matrix welcome passw0rd p@ssw0rd admin login william corvette
hello martin heather secret merlin diamond 1234qwer gfhjkm hammer silver
222222 88888888 anthony justin test bailey q1w2e3r4t5 patrick internet scooter
orange 11111 golfer cookie richard samantha bigdog guitar jackson whatever
mickey chicken sparky snoopy maverick phoenix camaro peanut morgan falcon
cowboy ferrari samsung andrea smokey steelers joseph mercedes dakota arsenal
eagles melissa boomer booboo spider nascar monster tigers yellow xxxxxx
123123123 gateway marina diablo bulldog qwer1234 compaq purple hardcore banana
junior hannah 123654 porsche lakers iceman money cowboys 987654 london tennis
999999 ncc1701 coffee scooby 0000 miller boston q1w2e3r4 brandon yamaha
chester mother forever johnny edward 333333 oliver redsox player nikita knight
fender barney midnight please brandy chicago badboy slayer rangers charles
angel flower bigdaddy rabbit wizard jasper enter rachel chris steven winner
adidas victoria natasha 1q2w3e4r jasmine winter prince marine ghbdtn fishing
cocacola casper james 232323 raiders 888888 marlboro gandalf asdfasdf crystal
87654321 12344321 golden 8675309 panther lauren angela spanky thx1138 angels
madison 4444 emily 1212 gordon 44444 cheyenne captain 12341234 christian
picture1 senha million2 aaron431 password1 qqww1122 123 omgpop qwer123456
123456a a123456 asdfghjkl unknown chatbooks 20100728 jacket025 evite 123abc
5201314 0123456789 pokemon qwerty123 bangbang12 jobandtalent abcd1234 default
ohmnamah23 12345678910 zing myspace1 password123 qwe123 admin123 1q2w3e 7758521
naruto 1q2w3e4r5t 123456789a rockyou babygirl lovely iloveu chocolate friends
butterfly liverpool loveme bubbles loveyou pretty basketball tweety playboy
elizabeth hottie tinkerbell barbie lovers teamo eminem danielle family
jonathan vanessa sweety spongebob softball daniela princesa alexandra alexis
jesus estrella miguel beautiful mylove poohbear iloveme sakura adrian
alexander destiny sayang america dancer monica princess1 carolina louise
789456 shorty nathan gabriel cherry sandra alejandro brittany alejandra
patricia tequiero dolphin antonio david stephanie blink182 sweetie beauty
honey 00000 fernando corazon cristina rainbow kisses manuel myspace rebelde
angel1 ricardo babygurl heaven 55555 greenday november alyssa mariposa maria
gabriela iloveyou2 jeremy pamela kimberly gemini shannon pictures sophie
jessie hellokitty claudia babygirl1 angelica mahalkita victor horses tiffany
mariana eduardo andres courtney kissme ronaldo iloveyou1 precious october
inuyasha peaches veronica adriana cutie friend jesus1 celtic diana angelo
kenneth sebastian rebecca jackie spiderman christopher karina hotmail school
barcelona august orlando samuel cameron slipknot cutiepie monkey1 50cent
bonita kevin maganda babyboy brenda kitten karen isabel natalie cuteako javier
789456123 sarah bowwow portugal laura marvin denise volleyball rockstar
january alicia nicholas flowers cristian tintin bianca chrisbrown 101010
strawberry garfield dennis panget francis cassie benfica love123 696969
lollipop olivia cancer camila superstar harrypotter ihateyou monique vincent
christine apples scorpio jordan23 lorena andreea katherine charmed abigail
rafael icecream mexico brianna nirvana aaliyah pookie johncena lovelove
abcdef benjamin gangsta brooke hiphop mybaby sergio metallica julian travis
babyblue sabrina michael1 jeffrey stephen catherine fernanda westlife blondie
sasuke smiley simple melanie steaua dolphins roberto fluffy teresa piglet
ronald slideshow minnie newyork jason raymond santiago jayson jerome muffin
gatita babyko 246810 sweetheart chivas ladybug kitty popcorn alberto valeria
cookies leslie jenny nicole1 leonardo jayjay liliana dexter 252525 amores
rockon christ babydoll anthony1 marcus lover chris1 single eeyore lalala
scooter1 skater dragon1 alex qwerty1 changeme letmein1 welcome1 admin1
administrator root toor guest user test123 testing passwd password12
password2 password! pass123 pass1234 passwort motdepasse contrasena senha123
parola salasana wachtwoord haslo heslo lozinka jelszo sifre qwertz azerty
iloveyou! 1qaz!qaz zaq12wsx zaq1zaq1 !qaz2wsx 1qazxsw2 qazwsxedc qweasdzxc
qweasd asdzxc zxc123 asd123 qwe123qwe 147258369 741852963 159357 147852
258456 963852741 147258 1478963 123698745 3698745 159951 753951 852456 456852
123789 456123 789123 321654 12qwaszx q12345 qwerty12 qwerty1234 1qaz2wsx3edc
google facebook youtube twitter instagram linkedin myspace123 hotmail1 yahoo
gmail outlook iphone android windows linux ubuntu microsoft apple netflix
secret1 secret123 letmein123 welcome123 trustno1! master123 shadow1 monkey123
dragon123 iloveyou123 sunshine1 princess123 football1 baseball1 soccer1
superman1 batman1 charlie1 michael123 jordan1 hunter2 hunter1 killer1 ashley1
jessica1 daniel1 andrew1 thomas1 robert1 matthew1 joshua1 hannah1 amanda1
jennifer1 justin1 taylor1 maggie1 ginger1 tigger1 buster1 harley1 pepper1
cheese1 summer1 winter1 spring1 autumn1 freedom1 computer1 internet1 orange1
purple1 yellow1 silver1 golden1 diamond1 crystal1 forever1 mustang1 cowboys1
yankees1 eagles1 lakers1 steelers1 rangers1 tigers1 raiders1 chelsea1
arsenal1 liverpool1 barcelona1 pokemon1 naruto1 starwars1 matrix1 master1
access1 asdf asdf1234 asdfjkl asdf123 1234asdf zxcv zxcv1234 qwer qwert
1234abcd abcd abc 123abc123 a1b2c3 a1b2c3d4 aa123456 abc12345 abc123456
123456q 1234567a 12345a 12345q 123qweasd 123qweasdzxc q1w2e3 1a2b3c 1a2b3c4d
`);

/** Common first names: every ranking is full of them, alone and with a number. */
const NAMES = words(String.raw`
james john robert michael william david richard joseph thomas charles
christopher daniel matthew anthony mark donald steven paul andrew joshua
kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary
nicholas eric jonathan stephen larry justin scott brandon benjamin samuel
gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose adam
nathan henry douglas zachary peter kyle ethan walter noah jeremy christian
keith roger terry gerald harold sean austin carl arthur lawrence dylan jesse
jordan bryan billy joe bruce gabriel logan albert willie alan juan wayne elijah
randy roy vincent ralph eugene russell bobby mason philip louis mary patricia
jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty
margaret sandra ashley kimberly emily donna michelle carol amanda dorothy
melissa deborah stephanie rebecca sharon laura cynthia kathleen amy angela
shirley anna brenda pamela emma nicole helen samantha katherine christine
debra rachel carolyn janet catherine maria heather diane ruth julie olivia
joyce virginia victoria kelly lauren christina joan evelyn judith megan
andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances
kathryn janice jean abigail alice judy sophia grace denise amber doris
marilyn danielle beverly isabella theresa diana natalie brittany charlotte
marie kayla alexis lori alex max sam ben tom tim jim bob bill mike dave chris
matt nick tony steve danny johnny jimmy tommy bobby ricky sammy charlie
oscar lucas leo liam mia ava chloe zoe lily ella lucy ruby molly daisy
rosie poppy jake luke adam harry jacob connor callum kieran jamie ryan scott
lewis ross dean carlos juan luis jorge pedro pablo diego javier antonio
manuel francisco rafael fernando alejandro miguel marco mario paolo giovanni
luca andrea francesca giulia stefan thomas andreas markus michael sebastian
tobias florian lukas anna julia laura lena sophie ivan dmitry sergey andrey
alexey natasha olga tanya svetlana irina elena katya masha sasha maxim
artem denis nikita vladimir mohamed ahmed ali omar hassan fatima aisha
yusuf ibrahim mustafa kim lee park chen wang zhang liu li yang huang wei
`);

/** Words, teams, brands, characters and phrases that the rankings are full of. */
const WORDS = words(String.raw`
access14 aaaa action airborne alaska albert alpha alpine anaconda angelina
animal apache apollo april aquarius arizona arnold athena atlanta attila
autumn avalon awesome bandit bear beatles beaver beer bella benny bigboy
bigman bigred bingo birdie bishop black blackjack blazer blessed blonde blue
bluebird blues bond007 bonjour booger bowling boxer braves bronco broncos
brother brown bruins bubba buddy buffalo bulls butter buttons calvin canada
candy carter casey catch22 catfish cats champion chance cherokee chevy
christmas cindy claire clarence clinton colorado connor cooper corona cougar
country coyote crazy cricket daddy dance darkness death december devil
diamonds digital dirty doctor dodgers donald doogie dragons dreams driver duke
dustin eagle easy eclipse einstein elephant enigma enjoy explorer extreme fire
firebird flash florida flyers ford formula1 fred freddy friday frog frodo
giants gibson gizmo global golf goober gopher great green gunner happy harry
hawaii hawkeye hello1 helpme hobbit horse hotdog house indian info ireland
iverson jaguar jake jimmy johnson juice june justice king ladies legend lemon
liberty light lincoln lion little lizard lonely loser lucky maddog magic
magnum malibu marathon mariah mario marley mars maxwell memphis mercury mike
millie mine monday mouse movie murphy music naughty nelson ninja nissan
nothing number1 ocean packers panda paris parker passion patches penguin
peter phantom photos pickle pierre pimpin pink pirate playstation power
predator private pumpkin qazwsx1 racing raider rambo random rascal redskins
redwings remember riley robin rock rocket rocky roger rosebud rusty sailor
sammy samson santa saturn scorpion september serena shelby sierra simone
simpsons skippy skyline smile snake snickers snowball snowman sparky1 speedy
spencer spike spirit spitfire sports spring spunky star stella steve stupid
success sugar sunny super surfer susan sweet swimming sydney system tarzan
teacher teddy terminator tester texas tiger timber titanic tomcat topgun
toyota trouble trucker trustme tucker turtle twilight united valentin vampire
viking voodoo walker warrior warriors water white wilson winston wolf wolves
women wrestling xavier yankee young zeppelin zombie zxcvbnm1 honda suzuki
kawasaki ducati bmw audi jeep dodge subaru mazda volvo chevrolet cadillac
lexus jaguar1 realmadrid juventus manchester manutd chelsea12 milan inter
celtics packers1 broncos1 giants1 dolphins1 patriots cardinals cubs
pikachu goku dragonball ironman hulk thor startrek jedi yoda skywalker vader
neo hogwarts voldemort minecraft fortnite roblox zelda luigi sonic xbox
nintendo gamer gaming hacker matrix123 cyber security qwerty! welcome!
letmein! iloveu2 loveu imissyou myself mommy mom dad daddy1 mama papa
baby babe honey1 sweetpea angel123 forever21 bestfriend boyfriend girlfriend
happy1 smile1 sunflower rosebud1 butterfly1 flower123 rainbow1 unicorn
dragonfly firefly blackcat whitecat doggy puppy kitty1 kittycat tweety1
bubbles1 cupcake candy1 chocolate1 cookie123 pizza burger coffee1 banana1
apple123 orange123 lemon1 cherry1 strawberry1 peaches1 mango coconut
chicago1 dallas1 boston1 london1 paris1 newyork1 california texas1 florida1
america1 canada1 mexico1 england scotland ireland1 germany france italy
spain brazil russia china japan india australia dublin berlin moscow tokyo
pakistan philippines manila jakarta nigeria lagos
monkey12 dragon12 qwerty11 abc1234 superman123 batman123 pokemon123
naruto123 minecraft1 fortnite1 roblox1 samsung123 iphone123 google123
facebook1 youtube1 hotmail123 yahoo123 gmail123 computer123 internet123
welcome12 welcome01 password01 password00 password11 password69 password99
pass12345 pass1 pass12 pass01 passpass 1password password2020 adminadmin
admin12345 admin1234 administrator1 root123 rootroot toor123 guest123 user123
user1234 test1234 testtest test1 demo demo123 sample temp temp123 temporary
changeme1 changeme123 changeit letmeinnow openup opensesame secret12
secretpassword mypassword mypass mypass123 nopassword nopass blank none null
undefined password1! password123! passw0rd! p@ssw0rd! p@ssw0rd1 p@55w0rd
iloveyou12 iloveyou22 iloveu123 loveyou1 loveyou2 lovers1 lovelove1
qwertyui qwertyu asdfghjk asdfghj zxcvbnm123 qwerty7 qwerty01 1qw23e
q2w3e4r5 qwe321 ewq321 321qwe zaq123 xsw2zaq1 1qaz2wsx! 123qwe!
1q2w3e4r! 1qaz@wsx 1qaz2wsx3 1q2w3e4r5 1q2w3e4r5t6 1q2w3e4r5t6y q1w2e3r4t5y6
пароль йцукен qwerty йцукен123 пароль123
`);

// ---------------------------------------------------------------------------------------------
// Generated families. Each returns entries in a fixed order.
// ---------------------------------------------------------------------------------------------

const DIGITS = '0123456789';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

/** Integers lo..hi inclusive. */
function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}

/** Runs of consecutive digits, ascending and descending, wrapping 9→0, lengths 4–16. */
function digitRuns(): string[] {
  const out: string[] = [];
  for (const start of range(0, 9)) {
    for (const len of range(4, 16)) {
      let up = '';
      let down = '';
      for (let i = 0; i < len; i++) {
        up += DIGITS[(start + i) % 10];
        down += DIGITS[(start - i + 100) % 10];
      }
      out.push(up, down);
    }
  }
  return out;
}

/** One digit repeated (lengths 4–16) and one letter repeated (lengths 4–10). */
function repeats(): string[] {
  const out: string[] = [];
  for (const d of DIGITS) for (const len of range(4, 16)) out.push(d.repeat(len));
  for (const c of ALPHABET) for (const len of range(4, 10)) out.push(c.repeat(len));
  return out;
}

/** Short units repeated two to four times: 121212, 123123, abcabc, 69696969, lovelove… */
function unitRepeats(): string[] {
  const units = words(String.raw`
    12 123 1234 12345 21 321 01 10 69 13 11 22 ab abc abcd xo qwe asd zxc qwer
    asdf 1q2w 1qaz love pass 007 2000 a1 aa1 q1
  `);
  const out: string[] = [];
  for (const u of units) for (const k of range(2, 4)) out.push(u.repeat(k));
  return out;
}

/** Alphabet runs from 'a' (abcd … a–z) and from 'z' backwards (zyxw …). */
function alphabetRuns(): string[] {
  const out: string[] = [];
  const reversed = [...ALPHABET].reverse().join('');
  for (const len of range(4, 26)) out.push(ALPHABET.slice(0, len), reversed.slice(0, len));
  return out;
}

/** Prefixes of `walk` whose lengths are multiples of `step` and at least 4 characters long. */
function prefixes(walk: string, step: number): string[] {
  const out: string[] = [];
  for (let len = step; len <= walk.length; len += step) if (len >= 4) out.push(walk.slice(0, len));
  return out;
}

/** Keyboard walks: rows from either end, columns, zig-zags and shifted rows. */
function keyboardWalks(): string[] {
  const rows = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '!@#$%^&*()'];
  const out: string[] = [];
  for (const row of rows) {
    const back = [...row].reverse().join('');
    out.push(...prefixes(row, 1), ...prefixes(back, 1));
  }
  // Column walks (1qaz2wsx…), their mirror (zaq1xsw2…), shifted (!qaz@wsx…) and row zig-zags.
  const walks: Array<[string, number]> = [
    ['1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/', 4],
    ['zaq1xsw2cde3vfr4bgt5nhy6mju7', 4],
    ['!qaz@wsx#edc$rfv%tgb^yhn', 4],
    ['qazwsxedcrfvtgbyhnujm', 3],
    ['1q2w3e4r5t6y7u8i9o0p', 2],
    ['q1w2e3r4t5y6u7i8o9p0', 2],
    ['1a2s3d4f5g6h7j8k9l', 2],
    ['qawsedrftgyhujikolp', 2],
    ['qweasdzxc', 3],
    ['qwertyuiopasdfghjklzxcvbnm', 1],
    ['1234qwerasdfzxcv', 4],
    ['123qweasdzxc', 3],
    ['poiuytrewqlkjhgfdsamnbvcxz', 1],
  ];
  for (const [walk, step] of walks) out.push(...prefixes(walk, step));
  return out;
}

/** Leetspeak spellings of "password" (a→@/4, s→$/5, o→0), bare and with common suffixes. */
function passwordLeet(): string[] {
  const out: string[] = [];
  for (const a of ['a', '@', '4']) {
    for (const s of ['ss', '$$', '55']) {
      for (const o of ['o', '0']) {
        const base = `p${a}${s}w${o}rd`;
        for (const suffix of ['', '1', '12', '123', '1234', '!', '1!', '123!']) out.push(base + suffix);
      }
    }
  }
  return out;
}

/** The most common base words, each with the suffixes people add to satisfy composition rules. */
function wordsWithSuffixes(): string[] {
  const bases = words(String.raw`
    password passw0rd p@ssw0rd pass qwerty qwertyuiop asdf asdfgh zxcvbn iloveyou
    monkey dragon letmein welcome admin administrator root user login abc abcd
    abcdef test master shadow sunshine princess football baseball soccer superman
    batman michael jordan charlie hello freedom secret love trustno1 changeme
    default guest summer winter spring autumn qazwsx 1qaz2wsx starwars pokemon
    naruto samsung computer internet killer hunter ginger tigger maggie jessica
    ashley daniel andrew hockey cookie chocolate flower angel lovely family
    friends money mustang matrix
  `);
  const suffixes = words(String.raw`
    1 12 123 1234 12345 123456 ! !! 1! 12! 123! @123 #1 01 007 2 11 13 22 69
    77 88 99 00 0 7 01!
  `);
  const out: string[] = [];
  for (const b of bases) for (const s of suffixes) out.push(b + s);
  return out;
}

/** Years 1950–2030 alone, and after the words people pair them with (Summer2024, Password1987!). */
function wordsWithYears(): string[] {
  const years = range(1950, 2030).map(String);
  const yearWords = words(String.raw`
    password pass summer winter spring autumn fall welcome love iloveyou admin qwerty
  `);
  const out: string[] = [...years];
  for (const w of yearWords) for (const y of years) out.push(w + y);
  // The "!"-suffixed form of the rotation favourites, for recent years only.
  for (const w of ['password', 'summer', 'winter', 'spring', 'autumn', 'welcome']) {
    for (const y of range(2000, 2030)) out.push(`${w}${y}!`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Concatenate every source in a fixed order, NFKC-lowercase, and drop duplicates (first wins). */
function buildList(): string[] {
  const sources: string[][] = [
    RANKED,
    NAMES,
    WORDS,
    digitRuns(),
    repeats(),
    unitRepeats(),
    alphabetRuns(),
    keyboardWalks(),
    passwordLeet(),
    wordsWithSuffixes(),
    wordsWithYears(),
  ];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const source of sources) {
    for (const entry of source) {
      const key = entry.normalize('NFKC').toLowerCase();
      if (key.length > 0 && !seen.has(key)) {
        seen.add(key);
        out.push(key);
      }
    }
  }
  return out;
}

/**
 * The blocklist: distinct, NFKC-normalised, lowercase entries, the real top lists first and the
 * generated families after. Frozen; deterministic across processes and versions of Node.
 */
export const COMMON_PASSWORDS: readonly string[] = Object.freeze(buildList());
