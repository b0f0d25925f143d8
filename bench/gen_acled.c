/*
 * gen_acled.c -- writes a synthetic dataset in ACLED's export layout for
 * benchmarking 'caveat assess': gen_acled ROWS [SEED] > file.csv
 *
 * Rows mix the shapes a real Ukraine/Russia export has (shelling, air and
 * drone strikes, interceptions, battles, protests), actors, both sides of
 * the border, notes with and without weapon names, quoted commas and
 * quotes, and an occasional multi-line note, at about the row size of a
 * real export.  Deterministic for a given seed; no third-party data.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state;

static uint32_t next(void) {
  /* splitmix64: tiny, fast and good enough for test data */
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static uint32_t pick(uint32_t n) { return next() % n; }

#define N(a) (sizeof(a) / sizeof *(a))

static const char *const months[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};

static const struct {
  const char *event, *sub, *disorder;
} kinds[] = {
    {"Explosions/Remote violence", "Shelling/artillery/missile attack", "Political violence"},
    {"Explosions/Remote violence", "Shelling/artillery/missile attack", "Political violence"},
    {"Explosions/Remote violence", "Air/drone strike", "Political violence"},
    {"Explosions/Remote violence", "Air/drone strike", "Political violence"},
    {"Battles", "Armed clash", "Political violence"},
    {"Strategic developments", "Disrupted weapons use", "Strategic developments"},
    {"Explosions/Remote violence", "Remote explosive/landmine/IED", "Political violence"},
    {"Protests", "Peaceful protest", "Demonstrations"},
    {"Violence against civilians", "Attack", "Political violence"},
};

static const char *const actors[] = {
    "Military Forces of Ukraine (2019-)",
    "Military Forces of Ukraine (2019-)",
    "Military Forces of Ukraine (2019-) Air Force",
    "Military Forces of Russia (2000-)",
    "Military Forces of Russia (2000-)",
    "Military Forces of Russia (2000-) Air Force",
    "Unidentified Armed Group (Ukraine)",
    "Freedom of Russia Legion",
    "Protesters (Russia)",
};

static const struct {
  const char *country, *iso, *admin1, *location;
  double lat, lon;
} places[] = {
    {"Ukraine", "804", "Kharkiv", "Vovchansk", 50.29, 36.94},
    {"Ukraine", "804", "Kharkiv", "Kharkiv", 49.99, 36.23},
    {"Ukraine", "804", "Sumy", "Sumy", 50.91, 34.80},
    {"Ukraine", "804", "Donetsk", "Bakhmut", 48.60, 38.00},
    {"Ukraine", "804", "Autonomous Republic of Crimea", "Dzhankoi", 45.71, 34.39},
    {"Russia", "643", "Belgorod", "Shebekino", 50.41, 36.89},
    {"Russia", "643", "Belgorod", "Grayvoron", 50.48, 35.68},
    {"Russia", "643", "Kursk", "Sudzha", 51.19, 35.27},
    {"Russia", "643", "Bryansk", "Klimovo", 52.38, 32.19},
    {"Russia", "643", "Saratov", "Engels", 51.48, 46.21},
};

static const char *const weapons[] = {
    "HIMARS",   "ATACMS",        "M777 howitzers", "Patriot",          "Storm Shadow",
    "Bradley",  "MaxxPro MRAP",  "GMLRS rockets",  "Excalibur shells", "Kh-59",
    "Iskander", "Shahed drones", "Su-34"};

static const char *const fillers[] = {
    "Local authorities reported damage to several buildings",
    "No casualties were reported",
    "The strike hit a position near the outskirts of the settlement",
    "Officials said the attack lasted several hours, with at least 3 impacts",
    "Footage published online showed smoke over the area",
    "The claim could not be independently verified",
};

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: gen_acled ROWS [SEED] > file.csv\n");
    return 2;
  }
  long rows = atol(argv[1]);
  state = argc > 2 ? strtoull(argv[2], NULL, 10) : 42;
  static char out[1 << 16];
  setvbuf(stdout, out, _IOFBF, sizeof out);
  fputs(
      "event_id_cnty,event_date,year,time_precision,disorder_type,"
      "event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,"
      "assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
      "country,admin1,admin2,admin3,location,latitude,longitude,"
      "geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n",
      stdout);
  for (long i = 1; i <= rows; i++) {
    int year = 2022 + (int)pick(3), month = 1 + (int)pick(12);
    int day = 1 + (int)pick(28);
    unsigned k = pick(N(kinds)), a = pick(N(actors)), p = pick(N(places));
    bool interception = kinds[k].sub[0] == 'D';
    double lat = places[p].lat + ((int)pick(2000) - 1000) / 10000.0;
    double lon = places[p].lon + ((int)pick(2000) - 1000) / 10000.0;
    bool civilian = kinds[k].event[0] == 'V';
    printf(
        "SYN%07ld,%d %s %d,%d,1,%s,%s,%s,%s,,1,%s,,8,18,%s,%s,Europe,%s,"
        "%s,,,%s,%.4f,%.4f,%u,Synthetic source,National,\"",
        i, day, months[month - 1], year, year, kinds[k].disorder, kinds[k].event, kinds[k].sub,
        actors[a],
        a < 3 ? "Military Forces of Russia (2000-)" : "Military Forces of Ukraine (2019-)",
        civilian ? "Civilian targeting" : "", places[p].iso, places[p].country, places[p].admin1,
        places[p].location, lat, lon, 1 + pick(3));
    if (interception) fputs("Interception: ", stdout);
    printf("On %d %s %d, ", day, months[month - 1], year);
    /* Most notes name no weapon, as in real exports. */
    if (pick(4) == 0)
      printf("%s were reportedly used near %s, ", weapons[pick(N(weapons))], places[p].location);
    else
      printf("forces reportedly attacked positions near %s, ", places[p].location);
    printf("%s. %s; \"\"sources\"\" differ on details.", fillers[pick(N(fillers))],
           fillers[pick(N(fillers))]);
    if (pick(50) == 0) fputs("\nA second paragraph, as some exports have.", stdout);
    printf("\",%u,,%u\n", pick(5), 1700000000u + pick(30000000));
  }
  return fflush(stdout) == 0 ? 0 : 1;
}
